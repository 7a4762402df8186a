import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** One Prometheus registry per service, so several services in one process keep apart. */
export class ServiceMetrics {
  readonly registry = new Registry();
  readonly httpDuration: Histogram<'method' | 'route' | 'status'>;
  readonly eventsApplied: Counter<'projection'>;
  readonly relayPublished: Counter;
  readonly projectionLagSeconds: Gauge<'projection'>;

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
  }
}
