import { KafkaMessageBus, type IncomingMessage, type OutgoingMessage, type Subscription } from '@identity/platform-messaging';
import { eventually, kafkaBrokers, testNamespace } from '@identity/platform-testing';

// Here rather than beside the bus: the test harness itself depends on the messaging library.

const KEYS = 24;
const PER_KEY = 5;

/** Five numbered messages for each of 24 keys, spread by key over the topic's partitions. */
function numbered(topic: string): OutgoingMessage[] {
  return Array.from({ length: PER_KEY }, (_, step) =>
    Array.from({ length: KEYS }, (_, key) => ({ topic, key: `key-${key}`, value: JSON.stringify({ key: `key-${key}`, step }), headers: {} })),
  ).flat();
}

describe('KafkaMessageBus batch handling, as projections and reactions get it (real Kafka)', () => {
  const namespace = testNamespace('bus-batches');
  let bus: KafkaMessageBus;
  const subscriptions: Subscription[] = [];

  beforeAll(async () => {
    bus = new KafkaMessageBus({ brokers: kafkaBrokers(), clientId: 'bus-batch-test', namespace, retry: { attempts: 2, initialDelayMs: 10, maxDelayMs: 20 } });
    await bus.connect();
  });

  afterAll(async () => {
    await Promise.all(subscriptions.map((subscription) => subscription.stop()));
    await bus.disconnect();
  });

  /** Subscribes to a fresh 6-partition topic; the batch handler is slow at first, so that partition batches queue up behind it. */
  async function consume(name: string, failBatchesWith?: (message: IncomingMessage) => boolean) {
    const topic = `test.${name}.v1`;
    await bus.ensureTopics([{ name: topic, partitions: 6 }]);
    const handled: { key: string; step: number; partition: number }[] = [];
    const batches: IncomingMessage[][] = [];
    const record = (message: IncomingMessage) => handled.push({ ...(JSON.parse(message.value) as { key: string; step: number }), partition: message.partition });
    subscriptions.push(
      await bus.subscribe({
        groupId: `test.${name}`,
        topics: [topic],
        handle: async (message) => {
          if (failBatchesWith?.(message)) throw new Error('poison message');
          record(message);
        },
        handleBatch: async (messages) => {
          batches.push([...messages]);
          if (batches.length === 1) await new Promise((resolve) => setTimeout(resolve, 300));
          if (failBatchesWith && messages.some(failBatchesWith)) throw new Error('a poison message in the batch');
          messages.forEach(record);
        },
      }),
    );
    return { topic, handled, batches };
  }

  const inOrderPerKey = (handled: { key: string; step: number }[]) => {
    const steps = new Map<string, number[]>();
    for (const { key, step } of handled) steps.set(key, [...(steps.get(key) ?? []), step]);
    return [...steps.values()].every((list) => list.every((step, index) => step === index));
  };

  it('hands the batches of partitions that arrive together to the batch handler at once, each partition in its order, each message once', async () => {
    const { topic, handled, batches } = await consume('together');
    await bus.publish([{ topic, key: 'first', value: JSON.stringify({ key: 'first', step: 0 }), headers: {} }]);
    await eventually(() => expect(batches.length).toBeGreaterThan(0));
    await bus.publish(numbered(topic));
    await eventually(() => expect(handled).toHaveLength(KEYS * PER_KEY + 1));
    expect(new Set(handled.map(({ key, step }) => `${key}:${step}`)).size).toBe(KEYS * PER_KEY + 1);
    expect(inOrderPerKey(handled)).toBe(true);
    const partitionsPerBatch = batches.map((batch) => new Set(batch.map((message) => message.partition)).size);
    expect(Math.max(...partitionsPerBatch)).toBeGreaterThan(1);
  });

  it('handles every message of a failed joint batch on its own, so one poison message holds back no other partition', async () => {
    const poison = (message: IncomingMessage) => (JSON.parse(message.value) as { key: string; step: number }).key === 'key-3' && (JSON.parse(message.value) as { step: number }).step === 2;
    const { topic, handled, batches } = await consume('poisoned', poison);
    await bus.publish([{ topic, key: 'first', value: JSON.stringify({ key: 'first', step: 0 }), headers: {} }]);
    await eventually(() => expect(batches.length).toBeGreaterThan(0));
    await bus.publish(numbered(topic));
    await eventually(() => expect(handled).toHaveLength(KEYS * PER_KEY), { timeoutMs: 30_000 });
    expect(handled.some(({ key, step }) => key === 'key-3' && step === 2)).toBe(false);
    expect(new Set(handled.map(({ key, step }) => `${key}:${step}`)).size).toBe(KEYS * PER_KEY);
    expect(inOrderPerKey(handled.filter(({ key }) => key !== 'key-3'))).toBe(true);
  });
});
