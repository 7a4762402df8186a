/** A message on its way to a topic. Keyed by aggregate id so one aggregate's messages stay in order. */
export interface OutgoingMessage {
  topic: string;
  key: string;
  value: string;
  headers: Record<string, string>;
}

export interface IncomingMessage {
  topic: string;
  partition: number;
  offset: string;
  key: string;
  value: string;
  headers: Record<string, string>;
}

export interface SubscriptionOptions {
  /** Consumers sharing a group id share the work; each group sees every message. */
  groupId: string;
  topics: readonly string[];
  /** Runs once per message; a throw is retried with backoff, then the message goes to the dead-letter topic. */
  handle(message: IncomingMessage): Promise<void>;
  /**
   * Optional: handles many messages at once (one transaction for many): consecutive messages of
   * one partition, and of several partitions or topics when they arrive together, each partition's
   * in its order. If it throws, the messages are handled one by one with `handle`, so one bad
   * message cannot hold the others back.
   */
  handleBatch?(messages: readonly IncomingMessage[]): Promise<void>;
}

export interface Subscription {
  /** Stops taking messages after the one in hand and leaves the group. */
  stop(): Promise<void>;
}

/** The only way the services talk to Kafka (or to its in-process stand-in in embedded mode). */
export interface MessageBus {
  readonly kind: 'kafka' | 'in-process';
  connect(): Promise<void>;
  /** Resolves once every message is acknowledged by the broker, in the order given per key. */
  publish(messages: readonly OutgoingMessage[]): Promise<void>;
  subscribe(options: SubscriptionOptions): Promise<Subscription>;
  /** Creates topics that do not exist yet (the broker does not create them on first use). */
  ensureTopics(topics: readonly TopicSpec[]): Promise<void>;
  isReady(): Promise<boolean>;
  disconnect(): Promise<void>;
}

export interface TopicSpec {
  name: string;
  partitions: number;
  config?: Record<string, string>;
}

export const MESSAGE_BUS = Symbol('MessageBus');

/** Where a message that kept failing goes, so the group can move on without losing it. */
export function deadLetterTopic(groupId: string): string {
  return `dlt.${groupId}`;
}

export interface RetryPolicy {
  attempts: number;
  initialDelayMs: number;
  maxDelayMs: number;
  /**
   * An error that says nothing about the message (the database is unreachable): it is retried until
   * it passes or the consumer stops, never counted as an attempt, so an outage never dead-letters.
   */
  isTransient?: (error: unknown) => boolean;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, initialDelayMs: 100, maxDelayMs: 5_000 };

/** Runs a handler with exponential backoff; returns the last error when every attempt failed (or the consumer stopped). */
export async function withRetries(policy: RetryPolicy, work: () => Promise<void>, stopped: () => boolean): Promise<unknown> {
  let delay = policy.initialDelayMs;
  let lastError: unknown = undefined;
  let failures = 0;
  while (!stopped()) {
    try {
      await work();
      return undefined;
    } catch (error) {
      lastError = error;
      if (!policy.isTransient?.(error)) failures += 1;
      if (failures >= policy.attempts) break;
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, policy.maxDelayMs);
    }
  }
  return lastError ?? new Error('stopped before the message was handled');
}

/**
 * On a message sent back from a dead-letter topic: the one consumer group it is for. The topic's
 * other groups handled it the first time and pass it by.
 */
export const REDRIVE_GROUP_HEADER = 'redrive-group';

/** Whether a group is to handle a message: every message, except one sent back for another group. */
export function isForGroup(message: IncomingMessage, groupId: string): boolean {
  const target = message.headers[REDRIVE_GROUP_HEADER];
  return target === undefined || target === groupId;
}

/** A dead letter as it goes back to its topic: its own headers, without the dead-letter ones, marked for its group. */
export function redrivenMessage(deadLetter: Omit<IncomingMessage, 'topic'>, groupId: string): OutgoingMessage {
  const { 'dlt-original-topic': topic, ...rest } = deadLetter.headers;
  if (!topic) throw new Error(`the message at offset ${deadLetter.offset} of ${deadLetterTopic(groupId)} names no original topic`);
  const headers = Object.fromEntries(Object.entries(rest).filter(([name]) => !name.startsWith('dlt-')));
  return { topic, key: deadLetter.key, value: deadLetter.value, headers: { ...headers, [REDRIVE_GROUP_HEADER]: groupId } };
}

export function deadLetterHeaders(message: IncomingMessage, error: unknown): Record<string, string> {
  return {
    ...message.headers,
    'dlt-original-topic': message.topic,
    'dlt-original-partition': String(message.partition),
    'dlt-original-offset': message.offset,
    'dlt-error': error instanceof Error ? error.message.slice(0, 500) : String(error).slice(0, 500),
  };
}
