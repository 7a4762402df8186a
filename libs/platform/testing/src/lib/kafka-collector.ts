import { KafkaMessageBus, type IncomingMessage } from '@identity/platform-messaging';
import { kafkaBrokers, uniqueSuffix } from './harness';

export interface Collector {
  messages: IncomingMessage[];
  stop(): Promise<void>;
}

/** Reads every message of some topics (from the beginning) in a namespace, for assertions. */
export async function collectFromKafka(namespace: string, topics: readonly string[]): Promise<Collector> {
  const bus = new KafkaMessageBus({ brokers: kafkaBrokers(), clientId: `test-collector-${uniqueSuffix()}`, namespace });
  await bus.connect();
  await bus.ensureTopics(topics.map((name) => ({ name, partitions: 3 })));
  const messages: IncomingMessage[] = [];
  const subscription = await bus.subscribe({
    groupId: `collector-${uniqueSuffix()}`,
    topics,
    handle: async (message) => {
      messages.push(message);
    },
  });
  return {
    messages,
    stop: async () => {
      await subscription.stop();
      await bus.disconnect();
    },
  };
}
