import { Kafka, Partitioners, logLevel, type Admin, type Consumer, type KafkaConfig, type Producer, type IHeaders } from 'kafkajs';
import { Batcher } from '@identity/platform-batching';
import {
  DEFAULT_RETRY,
  deadLetterHeaders,
  deadLetterTopic,
  isForGroup,
  redrivenMessage,
  withRetries,
  type IncomingMessage,
  type MessageBus,
  type OutgoingMessage,
  type RetryPolicy,
  type Subscription,
  type SubscriptionOptions,
  type TopicSpec,
} from './message-bus.port';

export interface KafkaBusOptions {
  brokers: readonly string[];
  clientId: string;
  retry?: RetryPolicy;
  /** Partitions given to dead-letter topics created on demand. */
  deadLetterPartitions?: number;
  /**
   * Namespaces every topic and consumer group (`<prefix>identity.user.v1`), so that several
   * environments or test runs can share one cluster without seeing each other's messages.
   */
  namespace?: string;
  log?: (level: 'error' | 'warn' | 'info', message: string, extra?: Record<string, unknown>) => void;
  /** TLS to the brokers (true: checked against the system CAs) and SASL credentials, for clusters that are not on a private network. */
  ssl?: KafkaConfig['ssl'];
  sasl?: KafkaConfig['sasl'];
  /** How long the broker keeps a silent consumer in its group (10 s; the broker allows 6 s and up). */
  sessionTimeoutMs?: number;
  /**
   * How long one handler may keep a consumer in its group (5 minutes, like the Java client's
   * `max.poll.interval.ms`): past it the consumer stops heartbeating and its partitions go to
   * another member.
   */
  maxHandlingMs?: number;
  /**
   * A message a consumer group gave up on: moved to its dead-letter topic, or not even that (the
   * topic refuses writes), when the consumer keeps handling its batch again. Both want a person.
   */
  onDeadLetter?: (groupId: string, outcome: 'moved' | 'failed') => void;
  /** A consumer that kafkajs stopped for good (an error it takes for unrecoverable): it is started again after a pause. */
  onConsumerStopped?: (groupId: string) => void;
}

/** How long a redrive waits for the next dead letters before it looks again at what is left (see redriveDeadLetters). */
const REDRIVE_STALL_MS = 15_000;

/** How long a consumer kafkajs stopped for good waits before it is started again. */
const CONSUMER_REVIVAL_MS = 5_000;

/** Messages of one partition handed to a batch handler at once. */
const BATCH_SIZE = 100;

/**
 * Partitions whose batches a consumer with a batch handler takes in at once. kafkajs hands over
 * one partition's messages at a time, and a fetch under steady load holds a few messages for each
 * of a topic's partitions (12 for users): handled apart, that is a transaction per partition. The
 * batches of partitions that arrive together are handled as one (see subscribe).
 */
const PARTITIONS_TAKEN_TOGETHER = 16;
/** Messages handled together at most, so that a consumer catching up keeps its transactions short. */
const MESSAGES_TAKEN_TOGETHER = 500;

/**
 * How often a consumer commits the offsets it has handled. kafkajs commits after every fetched
 * batch, which under a steady trickle of events is a broker write per message and per consumer
 * group; handlers are idempotent, so after a crash or a rebalance at most this much is delivered
 * again.
 */
const COMMIT_INTERVAL_MS = 1_000;

const DEFAULT_SESSION_TIMEOUT_MS = 10_000;
const DEFAULT_MAX_HANDLING_MS = 5 * 60_000;

/**
 * Heartbeats while handlers work, as the Java client does from a thread of its own: kafkajs
 * heartbeats only between batches, so a handler that waits out a sibling read model or a database
 * failover for longer than the session had the member dropped and its messages handled again. Up
 * to a limit: a handler stuck past it lets the session lapse, and the partitions move to another
 * member. Returns what stops it.
 */
function heartbeatWhileHandling(heartbeat: () => Promise<void>, intervalMs: number, limitMs: number): () => void {
  const started = Date.now();
  const timer = setInterval(() => {
    if (Date.now() - started > limitMs) return clearInterval(timer);
    // A rebalance under way: the heartbeat after the handlers, or isStale, takes it up.
    heartbeat().catch(() => undefined);
  }, intervalMs);
  return () => clearInterval(timer);
}

/** The MessageBus on Apache Kafka through kafkajs: idempotent producer, consumer groups, dead letters. */
export class KafkaMessageBus implements MessageBus {
  readonly kind = 'kafka' as const;
  private readonly kafka: Kafka;
  private readonly consumerKafka: Kafka;
  private producer: Producer;
  /** The current producer's connection: set by connect(), and anew by publish() once a producer was replaced. */
  private producerConnection?: Promise<void>;
  private readonly admin: Admin;
  private readonly probe: Admin;
  /** How to stop each running consumer: commit what it handled, then leave its group. */
  private readonly consumers = new Map<Consumer, () => Promise<void>>();
  private readonly knownTopics = new Set<string>();
  private connected = false;

  constructor(private readonly options: KafkaBusOptions) {
    this.kafka = this.client(8);
    // Consumers get a client whose connection retries outlast a broker restart (see subscribe: an
    // exhausted connection retry crashes the consumer whatever its own retry says); the producer
    // and the admin client fail fast, since the relay re-sends and readiness must answer.
    this.consumerKafka = this.client(30);
    this.producer = this.newProducer();
    this.admin = this.kafka.admin();
    // Readiness asks once: a probe that retried for seconds would pile up behind the next ones while Kafka is away.
    this.probe = this.kafka.admin({ retry: { retries: 0 } });
  }

  /** Connects the current producer once, however many publishes ask at the same moment; a failed attempt is tried again by the next. */
  private connectProducer(producer: Producer): Promise<void> {
    const connection = (this.producerConnection ??= producer.connect().catch((error: unknown) => {
      if (this.producerConnection === connection) this.producerConnection = undefined;
      throw error;
    }));
    return connection;
  }

  /** One idempotent producer with a single request in flight: retries can neither duplicate nor reorder. */
  private newProducer(): Producer {
    return this.kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
  }

  private client(retries: number): Kafka {
    const log = this.options.log;
    return new Kafka({
      clientId: this.options.clientId,
      brokers: [...this.options.brokers],
      ssl: this.options.ssl,
      sasl: this.options.sasl,
      connectionTimeout: 3_000,
      requestTimeout: 30_000,
      // Backoff capped at 2 s (kafkajs doubles up to 30 s): after a broker restart or stall, clients
      // reconnect within seconds instead of sleeping through it (npm run chaos measures this).
      retry: { initialRetryTime: 200, maxRetryTime: 2_000, retries },
      logLevel: logLevel.WARN,
      logCreator:
        () =>
        ({ level, log: entry }) => {
          const { message, ...extra } = entry;
          // Retries are bounded on purpose: a batch that fails is re-sent by the relay, and consumers dedupe.
          if (message.startsWith('Limiting retries for the idempotent producer')) return;
          log?.(level === logLevel.ERROR ? 'error' : level === logLevel.WARN ? 'warn' : 'info', `kafka: ${message}`, extra);
        },
    });
  }

  async connect(): Promise<void> {
    if (this.connected) return;
    await this.admin.connect();
    await this.connectProducer(this.producer);
    this.connected = true;
  }

  private physical(topic: string): string {
    return `${this.options.namespace ?? ''}${topic}`;
  }

  private logical(topic: string): string {
    const prefix = this.options.namespace ?? '';
    return topic.startsWith(prefix) ? topic.slice(prefix.length) : topic;
  }

  async ensureTopics(logicalTopics: readonly TopicSpec[]): Promise<void> {
    const topics = logicalTopics.map((topic) => ({ ...topic, name: this.physical(topic.name) }));
    const missing = topics.filter((topic) => !this.knownTopics.has(topic.name));
    if (missing.length === 0) return;
    const existing = new Set(await this.admin.listTopics());
    const toCreate = missing.filter((topic) => !existing.has(topic.name));
    for (let attempt = 1; toCreate.length > 0; attempt++) {
      try {
        await this.admin.createTopics({
          waitForLeaders: true,
          topics: toCreate.map((topic) => ({
            topic: topic.name,
            numPartitions: topic.partitions,
            replicationFactor: -1,
            configEntries: Object.entries(topic.config ?? {}).map(([name, value]) => ({ name, value })),
          })),
        });
        break;
      } catch (error) {
        // Another instance may have created them at the same moment.
        if (error instanceof Error && /already exists/i.test(error.message)) break;
        // A busy broker can answer the leader wait before the new partitions are known: ask again.
        const retriable = (error as { retriable?: boolean }).retriable || /does not host this topic-partition|leader/i.test(String((error as Error).message));
        if (!retriable || attempt >= 5) throw error;
        await new Promise((resolve) => setTimeout(resolve, 300 * attempt));
      }
    }
    for (const topic of missing) this.knownTopics.add(topic.name);
  }

  async publish(messages: readonly OutgoingMessage[]): Promise<void> {
    if (messages.length === 0) return;
    const byTopic = new Map<string, OutgoingMessage[]>();
    for (const message of messages) {
      const topic = this.physical(message.topic);
      byTopic.set(topic, [...(byTopic.get(topic) ?? []), message]);
    }
    const producer = this.producer;
    await this.connectProducer(producer);
    try {
      await producer.sendBatch({
        acks: -1,
        topicMessages: [...byTopic].map(([topic, list]) => ({
          topic,
          messages: list.map((message) => ({ key: message.key, value: message.value, headers: message.headers })),
        })),
      });
    } catch (error) {
      // A producer whose idempotence state the broker lost would fail every later publish: the
      // relay's next turn gets a new one (what it sends again may reach consumers twice, which they
      // shrug off). Only the producer that failed is replaced, once: publishes in flight beside it
      // fail with it and must not replace its successor.
      if (producerStateLost(error) && this.producer === producer) {
        this.producer = this.newProducer();
        this.producerConnection = undefined;
        await producer.disconnect().catch(() => undefined);
        this.options.log?.('warn', 'kafka producer replaced after a refusal it cannot recover from', { error: errorMessage(error) });
      }
      throw error;
    }
  }

  /**
   * A consumer group's member. kafkajs restarts a consumer after most failures but stops it for
   * good after one it takes for unrecoverable (a broker refusing the group, say), which would leave
   * its read model silently behind: such a consumer is started again after a pause, counted and logged.
   */
  async subscribe(options: SubscriptionOptions): Promise<Subscription> {
    let stopped = false;
    let current: Subscription | undefined;
    const startAgain = () => {
      const timer = setTimeout(() => {
        if (stopped) return;
        this.consume(options, revive).then(
          (subscription) => (stopped ? void subscription.stop() : (current = subscription)),
          (failure: unknown) => {
            // Kafka still away, say: tried again, not counted again.
            this.options.log?.('warn', 'consumer not started again yet; trying again', { groupId: options.groupId, error: errorMessage(failure) });
            if (!stopped) startAgain();
          },
        );
      }, CONSUMER_REVIVAL_MS);
      timer.unref();
    };
    const revive = (error: unknown) => {
      if (stopped) return;
      this.options.onConsumerStopped?.(options.groupId);
      this.options.log?.('error', 'consumer stopped by kafkajs; starting it again', { groupId: options.groupId, error: errorMessage(error) });
      startAgain();
    };
    current = await this.consume(options, revive);
    return {
      stop: async () => {
        stopped = true;
        await current?.stop();
      },
    };
  }

  private async consume(options: SubscriptionOptions, onStoppedForGood: (error: unknown) => void): Promise<Subscription> {
    const retry = this.options.retry ?? DEFAULT_RETRY;
    // A consumer that gives up on its broker restarts as a new group member, and after a broker
    // restart the group then waits for the old member's session to expire before anyone consumes
    // again. So it keeps retrying (up to about a minute, every 2 s at most) and comes back as the
    // member the restarted broker still knows; past that, the 10 s session (rather than kafkajs's
    // 30 s) bounds the pause (npm run chaos, "kill -9 the Kafka broker").
    const sessionTimeout = this.options.sessionTimeoutMs ?? DEFAULT_SESSION_TIMEOUT_MS;
    const heartbeatInterval = Math.min(3_000, Math.floor(sessionTimeout / 3));
    const consumer = this.consumerKafka.consumer({
      groupId: this.physical(options.groupId),
      retry: { initialRetryTime: 200, maxRetryTime: 2_000, retries: 30 },
      sessionTimeout,
      heartbeatInterval,
      // As the Java client: a member busy with a handler may take that long to rejoin a rebalance, or it would be dropped anyway.
      rebalanceTimeout: this.options.maxHandlingMs ?? DEFAULT_MAX_HANDLING_MS,
    });
    this.consumers.set(consumer, () => consumer.disconnect());
    let committer: ReturnType<typeof setInterval> | undefined;
    try {
      let stopped = false;
      let hasJoined = false;
      let notJoined: (error: unknown) => void = () => undefined;
      consumer.on(consumer.events.CRASH, ({ payload }) => {
        if (payload.restart || stopped) return;
        stopped = true;
        clearInterval(committer);
        this.consumers.delete(consumer);
        // Before it joined its group (a group the broker does not grant, say), the start itself fails.
        if (hasJoined) onStoppedForGood(payload.error);
        else notJoined(payload.error);
      });
      await consumer.connect();
      await consumer.subscribe({ topics: options.topics.map((topic) => this.physical(topic)), fromBeginning: true });
      const joined = new Promise<void>((resolve, reject) => {
        notJoined = reject;
        const remove = consumer.on(consumer.events.GROUP_JOIN, () => {
          remove();
          hasJoined = true;
          resolve();
        });
      });
      const handleOne = async (incoming: IncomingMessage) => {
        const error = await withRetries(retry, () => options.handle(incoming), () => stopped);
        if (error && !stopped) {
          const dlt = deadLetterTopic(options.groupId);
          try {
            await this.ensureTopics([{ name: dlt, partitions: this.options.deadLetterPartitions ?? 1 }]);
            await this.publish([{ topic: dlt, key: incoming.key, value: incoming.value, headers: deadLetterHeaders(incoming, error) }]);
          } catch (failure) {
            this.options.onDeadLetter?.(options.groupId, 'failed');
            this.options.log?.('error', 'message not moved to its dead-letter topic; its batch is handled again', { topic: incoming.topic, offset: incoming.offset, dlt, error: errorMessage(failure) });
            // A plain error, which kafkajs retries (restarting the consumer if need be): its own
            // error for a refused topic would stop the consumer for good.
            throw new Error(`could not move a message of ${incoming.topic} to ${dlt}: ${errorMessage(failure)}`);
          }
          this.options.onDeadLetter?.(options.groupId, 'moved');
          this.options.log?.('error', 'message moved to dead-letter topic', { topic: incoming.topic, partition: incoming.partition, offset: incoming.offset, dlt });
        }
        // Throwing here (stopped mid-retry) leaves the offset uncommitted, so the next member redelivers it.
        if (error && stopped) throw error;
      };
      const handled = new Map<string, { topic: string; partition: number; offset: string }>();
      const commitHandled = async () => {
        if (handled.size === 0) return;
        const offsets = [...handled.values()];
        handled.clear();
        try {
          await consumer.commitOffsets(offsets);
        } catch (error) {
          // A rebalance or a lost coordinator: the next batch's commit covers these, or whoever
          // consumes the partition next gets them again, which idempotent handlers shrug off.
          this.options.log?.('warn', 'consumer offsets not committed', { groupId: options.groupId, error: errorMessage(error) });
        }
      };
      committer = setInterval(() => void commitHandled(), COMMIT_INTERVAL_MS);
      committer.unref();
      // One batch handled at a time; partition batches arriving meanwhile wait and then go together.
      const handleBatch = options.handleBatch;
      const together = handleBatch
        ? new Batcher<IncomingMessage[], void>(
            async (chunks) => {
              await handleBatch(chunks.flat());
              return chunks.map(() => ({ value: undefined }));
            },
            {
              maxRunning: 1,
              maxBatch: PARTITIONS_TAKEN_TOGETHER,
              canJoin: (chunks, chunk) => chunks.reduce((total, taken) => total + taken.length, chunk.length) <= MESSAGES_TAKEN_TOGETHER,
            },
          )
        : undefined;
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: together ? PARTITIONS_TAKEN_TOGETHER : 1,
        eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
          const messages: IncomingMessage[] = batch.messages.map((message) => ({
            topic: this.logical(batch.topic),
            partition: batch.partition,
            offset: message.offset,
            key: message.key?.toString() ?? '',
            value: message.value?.toString() ?? '',
            headers: decodeHeaders(message.headers),
          }));
          for (let start = 0; start < messages.length; start += BATCH_SIZE) {
            if (!isRunning() || isStale() || stopped) return;
            const chunk = messages.slice(start, start + BATCH_SIZE);
            const mine = chunk.filter((message) => isForGroup(message, options.groupId));
            const stopHeartbeats = heartbeatWhileHandling(heartbeat, heartbeatInterval, this.options.maxHandlingMs ?? DEFAULT_MAX_HANDLING_MS);
            try {
              let done = mine.length === 0;
              if (together && !done) {
                try {
                  await together.submit(mine);
                  done = true;
                } catch {
                  done = false;
                }
              }
              if (!done) for (const message of mine) await handleOne(message);
            } finally {
              stopHeartbeats();
            }
            const last = chunk[chunk.length - 1].offset;
            resolveOffset(last);
            // Kafka's committed offset is the next one to read.
            handled.set(`${batch.topic}:${batch.partition}`, { topic: batch.topic, partition: batch.partition, offset: (BigInt(last) + 1n).toString() });
            await heartbeat();
          }
        },
      });
      const stop = async () => {
        stopped = true;
        clearInterval(committer);
        await commitHandled();
        await consumer.disconnect();
        this.consumers.delete(consumer);
      };
      await joined;
      this.consumers.set(consumer, stop);
      return { stop };
    } catch (error) {
      // Not started (Kafka away, say): nothing of it stays registered, connected or timed.
      clearInterval(committer);
      this.consumers.delete(consumer);
      await consumer.disconnect().catch(() => undefined);
      throw error;
    }
  }

  /** Per dead-letter topic of this namespace: its group and how many of its messages no redrive has sent back yet. */
  async deadLetters(): Promise<{ groupId: string; waiting: number }[]> {
    await this.admin.connect();
    const prefix = this.physical(deadLetterTopic(''));
    const topics = (await this.admin.listTopics()).filter((topic) => topic.startsWith(prefix)).sort();
    return Promise.all(topics.map(async (topic) => {
      const groupId = topic.slice(prefix.length);
      const waiting = (await this.redriveWaiting(groupId)).reduce((total, partition) => total + Number(partition.end - partition.from), 0);
      return { groupId, waiting };
    }));
  }

  /**
   * Sends the messages a consumer group gave up on (its dead-letter topic) back to their topics,
   * marked for that group alone: the topics' other groups, which handled them, pass them by. A
   * consumer group of the redrive's own (`redrive.<group>`) keeps its place after each batch, so a
   * second run sends only what was dead-lettered since (a run cut short between sending a batch and
   * keeping its place sends that batch again: at least once, as every delivery here). Messages
   * dead-lettered while it runs wait for the next run. Meant for a group whose handlers can take an
   * event late, as reactions can; a read model that went past the event needs a rebuild instead.
   */
  async redriveDeadLetters(groupId: string, onProgress?: (sent: number, waiting: number) => void): Promise<{ sent: number }> {
    await this.connect();
    const waiting = await this.redriveWaiting(groupId);
    const total = waiting.reduce((sum, partition) => sum + Number(partition.end - partition.from), 0);
    if (total === 0) return { sent: 0 };
    const topic = this.physical(deadLetterTopic(groupId));
    const ends = new Map(waiting.filter((partition) => partition.end > partition.from).map((partition) => [partition.partition, partition.end]));
    // Not restarted on failure: a message it cannot send (a topic gone, a write not granted) fails the run, said once.
    const consumer = this.consumerKafka.consumer({ groupId: this.physical(redriveGroup(groupId)), retry: { retries: 2, restartOnFailure: async () => false } });
    let sent = 0;
    let stall: ReturnType<typeof setTimeout> | undefined;
    try {
      await consumer.connect();
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      await new Promise<void>((resolve, reject) => {
        let settled = false;
        const finish = (error?: unknown) => {
          if (settled) return;
          settled = true;
          clearTimeout(stall);
          if (error === undefined) resolve();
          else reject(error);
        };
        // No batch comes for a partition whose messages went meanwhile (another run of this redrive sent them, or retention deleted them).
        const watch = () => {
          clearTimeout(stall);
          stall = setTimeout(() => {
            void this.redriveWaiting(groupId).then((now) => {
              for (const partition of now) if (partition.from >= (ends.get(partition.partition) ?? 0n)) ends.delete(partition.partition);
              if (ends.size === 0) return finish();
              finish(new Error(`no dead letters of ${groupId} arrived for ${REDRIVE_STALL_MS / 1000} s with ${total - sent} still waiting; is another redrive of this group running?`));
            }, finish);
          }, REDRIVE_STALL_MS);
        };
        // Counted from joining: a member of a run cut short (Ctrl-C) holds the group until its session ends.
        consumer.on(consumer.events.GROUP_JOIN, watch);
        consumer.on(consumer.events.CRASH, ({ payload }) => finish(payload.error));
        consumer
          .run({
            autoCommit: false,
            eachBatch: async ({ batch }) => {
              const end = ends.get(batch.partition);
              if (settled || end === undefined) return;
              // A slow batch (a publish waiting out a leader election) is no stall.
              clearTimeout(stall);
              const due = batch.messages.filter((message) => BigInt(message.offset) < end);
              if (due.length > 0) {
                try {
                  const messages = due.map((message) =>
                    redrivenMessage({ partition: batch.partition, offset: message.offset, key: message.key?.toString() ?? '', value: message.value?.toString() ?? '', headers: decodeHeaders(message.headers) }, groupId),
                  );
                  await this.publish(messages);
                } catch (error) {
                  return finish(new Error(`redrive of ${groupId} stopped after ${sent} of ${total}: ${errorMessage(error)}`));
                }
                const next = BigInt(due[due.length - 1].offset) + 1n;
                sent += due.length;
                onProgress?.(sent, total);
                // Sent: a place not kept (a rebalance took the partition) only means a later run sends these again.
                await consumer.commitOffsets([{ topic, partition: batch.partition, offset: next.toString() }]).catch(() => undefined);
                if (next >= end) ends.delete(batch.partition);
              }
              if (due.length < batch.messages.length) ends.delete(batch.partition);
              if (ends.size === 0) return finish();
              watch();
            },
          })
          .catch(finish);
      });
    } finally {
      clearTimeout(stall);
      await consumer.disconnect().catch(() => undefined);
    }
    return { sent };
  }

  /** The part of each partition of a group's dead-letter topic that its redrive has not sent back yet. */
  private async redriveWaiting(groupId: string): Promise<{ partition: number; from: bigint; end: bigint }[]> {
    await this.admin.connect();
    const topic = this.physical(deadLetterTopic(groupId));
    if (!(await this.admin.listTopics()).includes(topic)) return [];
    const [offsets, [committed]] = await Promise.all([
      this.admin.fetchTopicOffsets(topic),
      this.admin.fetchOffsets({ groupId: this.physical(redriveGroup(groupId)), topics: [topic] }),
    ]);
    return offsets.map((partition) => {
      const done = BigInt(committed?.partitions.find((entry) => entry.partition === partition.partition)?.offset ?? '-1');
      const low = BigInt(partition.low);
      const end = BigInt(partition.high);
      // Within what the partition holds: retention may have deleted past the place kept; a place past
      // the end belongs to a topic deleted and created again, whose messages are all still to send.
      const from = done < low || done > end ? low : done;
      return { partition: partition.partition, from, end };
    });
  }

  async isReady(): Promise<boolean> {
    try {
      await this.probe.connect();
      await this.probe.describeCluster();
      return true;
    } catch {
      return false;
    }
  }

  async disconnect(): Promise<void> {
    await Promise.allSettled([...this.consumers.values()].map((stop) => stop()));
    this.consumers.clear();
    await Promise.allSettled([this.producer.disconnect(), this.admin.disconnect(), this.probe.disconnect()]);
    this.producerConnection = undefined;
    this.connected = false;
  }
}

/** The consumer group that keeps a redrive's place in a group's dead-letter topic. */
function redriveGroup(groupId: string): string {
  return `redrive.${groupId}`;
}

function decodeHeaders(headers: IHeaders | undefined): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value === undefined) continue;
    result[name] = Array.isArray(value) ? value.map(String).join(',') : value.toString();
  }
  return result;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The broker forgot or fenced this producer's idempotence state: only a new producer (a new producer id) gets past it. */
const PRODUCER_STATE_LOST = new Set(['OUT_OF_ORDER_SEQUENCE_NUMBER', 'INVALID_PRODUCER_EPOCH', 'UNKNOWN_PRODUCER_ID', 'INVALID_PRODUCER_ID_MAPPING', 'PRODUCER_FENCED']);

/** Errors along a chain of causes, outermost first. */
function causes(error: unknown): { name?: string; message?: string; code?: unknown; type?: string; retriable?: boolean }[] {
  const chain = [];
  for (let cause = error as { cause?: unknown } | null; cause && typeof cause === 'object' && chain.length < 10; cause = cause.cause as typeof cause) chain.push(cause);
  return chain as ReturnType<typeof causes>;
}

/**
 * A refusal only a new producer gets past (its sequence numbers lost after a reply went missing
 * while the broker restarted, say). Refusals of a message (too large, a topic not granted) are not:
 * another producer would meet them too.
 */
export function producerStateLost(error: unknown): boolean {
  return causes(error).some((cause) => cause.type !== undefined && PRODUCER_STATE_LOST.has(cause.type));
}

/** What the network says when a broker cannot be reached at all. */
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE']);
const CONNECTION_ERRORS = new Set(['KafkaJSConnectionError', 'KafkaJSConnectionClosedError', 'KafkaJSRequestTimeoutError', 'KafkaJSBrokerNotFound']);
/** A failure of the connection itself, whichever error carries it (kafkajs wraps one during SASL as an authentication error). */
const CONNECTION_FAILED = /Connection (timeout|closed|error)|Closed connection|Broker not connected|Request timed out|socket hang up|ECONN(REFUSED|RESET)|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EAI_AGAIN/i;
/** A certificate or key that cannot work, which kafkajs reports as a connection error too. */
const TLS_SETTING = /certificate|PEM|SSL routines|self[- ]signed|unable to verify|altname|wrong version number/i;

/**
 * Whether an error of connecting to Kafka means it is away (down, restarting, electing leaders,
 * not answering), which time mends, rather than a setting it refuses (SASL credentials, a
 * certificate or key, a missing grant), which it does not. Judged by the innermost error.
 */
export function isKafkaUnreachable(error: unknown): boolean {
  const chain = causes(error);
  const root = chain.at(-1);
  if (!root) return false;
  const message = String(root.message ?? '');
  if (TLS_SETTING.test(message)) return false;
  // A protocol error of the broker's: leader elections, a coordinator or controller moving.
  if (typeof root.code === 'number') return root.retriable === true;
  if (typeof root.code === 'string') return UNREACHABLE_CODES.has(root.code);
  if (root.name === 'KafkaJSSASLAuthenticationError') return CONNECTION_FAILED.test(message);
  return (root.name !== undefined && CONNECTION_ERRORS.has(root.name)) || CONNECTION_FAILED.test(message);
}
