import type { DataSource, MigrationInterface } from 'typeorm';
import type { Logger } from 'pino';
import { ALL_TOPICS, type IntegrationEvent } from '@identity/contracts';
import { CommandRunner, OutboxRelay, PostgresEventStore, createDataSource, runMigrations } from '@identity/platform-event-store';
import { DEFAULT_RETRY, isKafkaUnreachable, KafkaMessageBus, type MessageBus, type RetryPolicy, type Subscription } from '@identity/platform-messaging';
import { ProjectionRunner, type Projection } from '@identity/platform-projections';
import type { ServiceConfig } from './config';
import type { ServiceMetrics } from './metrics';
import type { Reaction } from './service-definition';
import { CORRELATION_HEADER, runWithCorrelationId, sanitiseCorrelationId } from './logging';
import { isDatabaseUnavailable } from './problem-details';
import { kafkaSecurity } from './kafka-security';

export interface InfrastructureOptions {
  service: string;
  config: ServiceConfig;
  logger: Logger;
  metrics: ServiceMetrics;
  migrations: readonly (new () => MigrationInterface)[];
  projections: readonly Projection[];
  reactions: readonly Reaction[];
  runsRelay: boolean;
  /** Embedded mode hands every service the same in-process bus. */
  bus?: MessageBus;
}

/** A database outage holds consumers back until it is over: it never sends an event to a dead-letter topic. */
export const CONSUMER_RETRY: RetryPolicy = { ...DEFAULT_RETRY, isTransient: isDatabaseUnavailable };

/** How often a service that started without Kafka tries it again. */
const MESSAGING_RETRY_MS = 5_000;

/** How long a relay's turns may all fail before it says it is not ready. */
const RELAY_FAILING_LIMIT_MS = 30_000;

/** The relay's name: its checkpoint row and its advisory lock. */
export const OUTBOX_RELAY_NAME = 'identity-platform';

/**
 * The connections a service holds (PostgreSQL, the bus) and the background work on them (relay,
 * projections), started and stopped in the right order.
 */
export class ServiceInfrastructure {
  readonly dataSource: DataSource;
  readonly bus: MessageBus;
  readonly eventStore: PostgresEventStore;
  readonly commands: CommandRunner;
  private relay?: OutboxRelay;
  private projectionRunner?: ProjectionRunner;
  private readonly reactionSubscriptions: Subscription[] = [];
  private readonly subscribedReactions = new Set<string>();
  /** Set while Kafka's part of the start waits for Kafka (it did not answer at start-up). */
  private messagingRetry?: Promise<void>;
  private wakeRetry?: () => void;
  private stopping = false;

  get logger(): Logger {
    return this.options.logger;
  }

  constructor(private readonly options: InfrastructureOptions) {
    const { config } = options;
    this.dataSource = createDataSource({
      url: config.string('DATABASE_URL'),
      migrations: options.migrations,
      poolSize: config.int('DATABASE_POOL_SIZE'),
      preparedStatements: config.bool('DATABASE_PREPARED_STATEMENTS'),
      statementTimeoutMs: config.int('DATABASE_STATEMENT_TIMEOUT_MS'),
      idleInTransactionTimeoutMs: config.int('DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS'),
      applicationName: options.service,
    });
    this.bus =
      options.bus ??
      new KafkaMessageBus({
        brokers: config.list('KAFKA_BROKERS'),
        clientId: `${config.string('KAFKA_CLIENT_ID')}.${options.service}`,
        namespace: config.optionalString('KAFKA_NAMESPACE'),
        ...kafkaSecurity(config),
        retry: CONSUMER_RETRY,
        log: (level, message, extra) => options.logger[level](extra ?? {}, message),
        onDeadLetter: (group, outcome) => options.metrics.deadLetters.inc({ group, outcome }),
        onConsumerStopped: (group) => options.metrics.consumersStopped.inc({ group }),
      });
    this.eventStore = new PostgresEventStore(this.dataSource);
    this.commands = new CommandRunner(this.eventStore);
  }

  async start(): Promise<void> {
    const { logger, config } = this.options;
    await this.dataSource.initialize();
    if (config.bool('MIGRATIONS_RUN')) {
      const applied = await runMigrations(this.dataSource);
      if (applied.length > 0) logger.info({ migrations: applied }, 'database migrations applied');
    }
    try {
      await this.startMessaging();
    } catch (error) {
      // A setting Kafka refuses (a password, a certificate, a grant) fails the start, so that a
      // rollout carrying it stops at its first pod instead of replacing every consumer.
      if (!isKafkaUnreachable(error)) throw error;
      // A pod that starts while Kafka is away (a restart or a scale-up during an outage) still serves
      // what needs PostgreSQL alone: writes wait in the outbox. Its consumers and relay start once Kafka answers.
      logger.warn({ error: (error as Error).message }, 'Kafka does not answer: started without it; consumers and the relay start once it does');
      this.messagingRetry = this.retryMessaging();
    }
  }

  /** Kafka's part of the start, each step once however many attempts it takes. */
  private async startMessaging(): Promise<void> {
    const { logger, config } = this.options;
    await this.bus.connect();
    const partitions = config.optionalInt('KAFKA_TOPIC_PARTITIONS');
    await this.bus.ensureTopics(ALL_TOPICS.map((topic) => ({ ...topic, partitions: partitions ?? topic.partitions })));
    if (this.options.runsRelay && !this.relay) {
      this.relay = new OutboxRelay(this.dataSource, this.bus, {
        name: OUTBOX_RELAY_NAME,
        databaseUrl: config.string('DATABASE_URL'),
        log: (level, message, extra) => logger[level](extra ?? {}, message),
        onPublished: (count) => this.options.metrics.relayPublished.inc(count),
        retainPublishedMs: config.int('OUTBOX_RETENTION_HOURS') === 0 ? undefined : config.int('OUTBOX_RETENTION_HOURS') * 3_600_000,
      });
      this.relay.start();
      this.options.metrics.watchRelay(this.relay);
    }
    if (this.options.projections.length > 0 && !this.projectionRunner) {
      const runner = new ProjectionRunner(this.dataSource, this.bus, {
        log: (level, message, extra) => logger[level](extra ?? {}, message),
        around: (headers, work) => runWithCorrelationId(sanitiseCorrelationId(headers[CORRELATION_HEADER]), work),
        onApplied: (projection, event) => {
          this.options.metrics.eventsApplied.inc({ projection: projection.name });
          this.options.metrics.projectionLagSeconds.set(
            { projection: projection.name },
            Math.max(0, (Date.now() - Date.parse(event.occurredAt)) / 1000),
          );
        },
      });
      try {
        await runner.start(this.options.projections);
      } catch (error) {
        // The next attempt subscribes them all again: none may stay subscribed twice.
        await runner.stop().catch(() => undefined);
        throw error;
      }
      this.projectionRunner = runner;
    }
    for (const reaction of this.options.reactions) {
      if (this.subscribedReactions.has(reaction.name)) continue;
      this.reactionSubscriptions.push(
        await this.bus.subscribe({
          groupId: `reaction.${reaction.name}`,
          topics: reaction.topics,
          handle: (message) =>
            runWithCorrelationId(sanitiseCorrelationId(message.headers[CORRELATION_HEADER]), () =>
              reaction.handle(JSON.parse(message.value) as IntegrationEvent, this),
            ),
          handleBatch: reaction.handleBatch
            ? (messages) =>
                runWithCorrelationId(sanitiseCorrelationId(messages[0].headers[CORRELATION_HEADER]), () =>
                  reaction.handleBatch!(messages.map((message) => JSON.parse(message.value) as IntegrationEvent), this),
                )
            : undefined,
        }),
      );
      this.subscribedReactions.add(reaction.name);
    }
  }

  /** Tries Kafka's part of the start again every few seconds until it succeeds or the service stops. */
  private async retryMessaging(): Promise<void> {
    while (!this.stopping) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, MESSAGING_RETRY_MS);
        this.wakeRetry = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      if (this.stopping) return;
      try {
        await this.startMessaging();
        this.options.logger.info('Kafka answers: consumers and relay started');
        return;
      } catch (error) {
        const away = isKafkaUnreachable(error);
        this.options.logger[away ? 'warn' : 'error']({ error: (error as Error).message }, away ? 'Kafka still does not answer; trying again' : 'Kafka refuses this service; trying again');
      }
    }
  }

  relayStatus() {
    return this.relay?.status;
  }

  /**
   * Ready to take requests: the database answers. Kafka is reported, and needed only by a service
   * that runs the relay: every other write goes to the event store and its outbox, and reaches
   * Kafka once it is back, so a Kafka outage must not take every service out of its load balancer.
   */
  async readiness(): Promise<{ ready: boolean; checks: Record<string, 'up' | 'down'> }> {
    const checks = await this.checks();
    if (!this.options.runsRelay) return { ready: checks.database === 'up', checks };
    // A relay whose every turn has failed for a while (a broker that refuses it, a restored database) is down, whatever answers.
    // Not started yet (Kafka has not answered since start-up) is down too.
    const failingSince = this.relay?.status.failingSince;
    checks.relay = !this.relay || (failingSince && Date.now() - Date.parse(failingSince) > RELAY_FAILING_LIMIT_MS) ? 'down' : 'up';
    return { ready: Object.values(checks).every((state) => state === 'up'), checks };
  }

  /** Each dependency answers within a second. */
  async checks(): Promise<Record<string, 'up' | 'down'>> {
    const within = <T>(work: Promise<T>) =>
      Promise.race([work, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timeout')), 1_000))]);
    const [database, messaging] = await Promise.allSettled([
      within(this.dataSource.query('SELECT 1')),
      within(this.bus.isReady()).then((ready) => {
        if (!ready) throw new Error('bus not ready');
      }),
    ]);
    return { database: database.status === 'fulfilled' ? 'up' : 'down', messaging: messaging.status === 'fulfilled' ? 'up' : 'down' };
  }

  /** Whether this service's relay (if it runs one) has published everything committed so far. */
  async relayCaughtUp(): Promise<boolean> {
    return this.relay ? this.relay.caughtUp() : true;
  }

  /** Stops taking work first (consumers, relay), then closes the connections. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wakeRetry?.();
    await this.messagingRetry;
    await Promise.all(this.reactionSubscriptions.splice(0).map((subscription) => subscription.stop()));
    await this.projectionRunner?.stop();
    await this.relay?.stop();
    if (!this.options.bus) await this.bus.disconnect();
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}
