import {
  DEFAULT_RETRY,
  deadLetterHeaders,
  deadLetterTopic,
  isForGroup,
  withRetries,
  type IncomingMessage,
  type MessageBus,
  type OutgoingMessage,
  type RetryPolicy,
  type Subscription,
  type SubscriptionOptions,
  type TopicSpec,
} from './message-bus.port';

interface Group {
  offsets: Map<string, number>;
  topics: Set<string>;
  wake?: () => void;
}

/**
 * Kafka's semantics in one process for embedded mode: ordered topics (one partition each),
 * consumer groups with their own offsets, retries and a dead-letter topic. Messages live in memory:
 * the outbox in PostgreSQL remains the durable record.
 */
export class InProcessMessageBus implements MessageBus {
  readonly kind = 'in-process' as const;
  private readonly topics = new Map<string, IncomingMessage[]>();
  private readonly groups = new Map<string, Group>();

  constructor(private readonly retry: RetryPolicy = DEFAULT_RETRY) {}

  async connect(): Promise<void> {}

  async ensureTopics(topics: readonly TopicSpec[]): Promise<void> {
    for (const topic of topics) this.log(topic.name);
  }

  async publish(messages: readonly OutgoingMessage[]): Promise<void> {
    for (const message of messages) {
      const log = this.log(message.topic);
      log.push({ ...message, partition: 0, offset: String(log.length) });
    }
    for (const group of this.groups.values()) group.wake?.();
  }

  async subscribe(options: SubscriptionOptions): Promise<Subscription> {
    const group = this.groups.get(options.groupId) ?? { offsets: new Map<string, number>(), topics: new Set<string>() };
    for (const topic of options.topics) group.topics.add(topic);
    this.groups.set(options.groupId, group);
    let stopped = false;
    const loop = (async () => {
      while (!stopped) {
        const next = this.nextMessage(group, options.topics);
        if (!next) {
          await new Promise<void>((resolve) => (group.wake = resolve));
          continue;
        }
        const error = isForGroup(next, options.groupId) ? await withRetries(this.retry, () => options.handle(next), () => stopped) : undefined;
        if (stopped) break;
        if (error) {
          await this.publish([
            { topic: deadLetterTopic(options.groupId), key: next.key, value: next.value, headers: deadLetterHeaders(next, error) },
          ]);
        }
        group.offsets.set(next.topic, Number(next.offset) + 1);
      }
    })();
    return {
      stop: async () => {
        stopped = true;
        group.wake?.();
        await loop;
      },
    };
  }

  /**
   * Whether every consumer group has handled every message of its topics: messages live in this
   * process only, so whoever stops it waits for this first (embedded mode does).
   */
  idle(): boolean {
    for (const group of this.groups.values()) {
      for (const topic of group.topics) if ((group.offsets.get(topic) ?? 0) < (this.topics.get(topic)?.length ?? 0)) return false;
    }
    return true;
  }

  async isReady(): Promise<boolean> {
    return true;
  }

  async disconnect(): Promise<void> {
    for (const group of this.groups.values()) group.wake?.();
  }

  private nextMessage(group: Group, topics: readonly string[]): IncomingMessage | undefined {
    for (const topic of topics) {
      const log = this.log(topic);
      const offset = group.offsets.get(topic) ?? 0;
      if (offset < log.length) return log[offset];
    }
    return undefined;
  }

  private log(topic: string): IncomingMessage[] {
    let log = this.topics.get(topic);
    if (!log) {
      log = [];
      this.topics.set(topic, log);
    }
    return log;
  }
}
