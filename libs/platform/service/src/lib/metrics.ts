import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { RelayBacklog, RelayStatus } from '@identity/platform-event-store';

/** One Prometheus registry per service, so several services in one process keep apart. */
export class ServiceMetrics {
  readonly registry = new Registry();
  readonly httpDuration: Histogram<'method' | 'route' | 'status'>;
  readonly eventsApplied: Counter<'projection'>;
  readonly relayPublished: Counter;
  readonly projectionLagSeconds: Gauge<'projection'>;
  readonly deadLetters: Counter<'group' | 'outcome'>;
  readonly consumersStopped: Counter<'group'>;

  constructor(service: string, collectProcessMetrics: boolean) {
    this.registry.setDefaultLabels({ service });
    if (collectProcessMetrics) collectDefaultMetrics({ register: this.registry });
    this.httpDuration = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request latency by route and status.',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [this.registry],
    });
    this.eventsApplied = new Counter({
      name: 'projection_events_applied_total',
      help: 'Events applied to read models.',
      labelNames: ['projection'],
      registers: [this.registry],
    });
    this.relayPublished = new Counter({
      name: 'outbox_relay_published_total',
      help: 'Outbox messages the relay published to the bus.',
      registers: [this.registry],
    });
    this.projectionLagSeconds = new Gauge({
      name: 'projection_lag_seconds',
      help: 'Age of the last event a projection applied, when it was applied.',
      labelNames: ['projection'],
      registers: [this.registry],
    });
    this.deadLetters = new Counter({
      name: 'consumer_dead_letters_total',
      help: 'Messages a consumer group gave up on: moved to its dead-letter topic (its read model skipped them), or failed to move there (the consumer is stuck on them).',
      labelNames: ['group', 'outcome'],
      registers: [this.registry],
    });
    this.consumersStopped = new Counter({
      name: 'consumer_stopped_total',
      help: 'Consumers the Kafka client stopped for good, each started again after a pause.',
      labelNames: ['group'],
      registers: [this.registry],
    });
  }

  /**
   * The relay's health, read at each scrape. The published counter alone cannot tell an idle
   * platform from a stalled relay: these can (a backlog that ages while no relay leads or while
   * every turn fails is the alert).
   */
  watchRelay(relay: { status: RelayStatus; backlog(): Promise<RelayBacklog> }): void {
    const registers = [this.registry];
    new Gauge({
      name: 'outbox_relay_leader',
      help: '1 while this relay holds the publishing lock.',
      registers,
      collect() {
        this.set(relay.status.leader ? 1 : 0);
      },
    });
    new Gauge({
      name: 'outbox_relay_failing_seconds',
      help: 'How long every turn of this relay has failed; 0 while it works.',
      registers,
      collect() {
        this.set(relay.status.failingSince === null ? 0 : (Date.now() - Date.parse(relay.status.failingSince)) / 1000);
      },
    });
    // The two backlog gauges are collected together at each scrape: one read of the outbox serves both.
    let reading: { at: number; backlog: Promise<RelayBacklog | null> } | undefined;
    const currentBacklog = () => {
      if (!reading || Date.now() - reading.at > 1_000) reading = { at: Date.now(), backlog: relay.backlog().catch(() => null) };
      return reading.backlog;
    };
    new Gauge({
      name: 'outbox_relay_unpublished_messages',
      help: 'Outbox messages committed and not yet published (counted up to 100,000).',
      registers,
      async collect() {
        const waiting = await currentBacklog();
        if (waiting) this.set(waiting.messages);
      },
    });
    new Gauge({
      name: 'outbox_relay_oldest_unpublished_seconds',
      help: 'Age of the oldest outbox message not yet published; 0 when none waits.',
      registers,
      async collect() {
        const waiting = await currentBacklog();
        if (waiting) this.set(waiting.oldestSeconds);
      },
    });
  }
}
