import { eventually, kafkaBrokers, testNamespace } from '@identity/platform-testing';
import { KafkaMessageBus } from '@identity/platform-messaging';

describe('KafkaMessageBus dead letters (real Kafka)', () => {
  it('keeps handling a message its dead-letter topic refuses, counting each failure, instead of stopping the consumer for good or skipping it', async () => {
    const outcomes: string[] = [];
    const stopped: string[] = [];
    let handled = 0;
    const bus = new KafkaMessageBus({
      brokers: kafkaBrokers(),
      clientId: 'dead-letter-test',
      namespace: testNamespace('dead-letters'),
      retry: { attempts: 2, initialDelayMs: 10, maxDelayMs: 20 },
      onDeadLetter: (_group, outcome) => outcomes.push(outcome),
      onConsumerStopped: (group) => stopped.push(group),
    });
    await bus.connect();
    const topic = 'test.poison.v1';
    await bus.ensureTopics([{ name: topic, partitions: 1 }]);
    // Kafka refuses `dlt.poison/group` as a topic name, as it would a topic its ACLs forbid.
    const subscription = await bus.subscribe({
      groupId: 'poison/group',
      topics: [topic],
      handle: async () => {
        handled++;
        throw new Error('poison message');
      },
    });
    try {
      await bus.publish([{ topic, key: 'k', value: '{}', headers: {} }]);
      // Each round: two attempts, then the dead-letter topic refuses it; the batch is handled again.
      await eventually(() => expect(outcomes.filter((outcome) => outcome === 'failed').length).toBeGreaterThanOrEqual(3), { timeoutMs: 60_000 });
      expect(handled).toBeGreaterThanOrEqual(6);
      expect(outcomes).not.toContain('moved');
      expect(stopped).toEqual([]);
    } finally {
      await subscription.stop();
      await bus.disconnect();
    }
  }, 90_000);

  it('keeps its producer after a refusal of one message (a topic Kafka never takes), which another producer would meet too: the next publish goes out', async () => {
    const logged: string[] = [];
    const bus = new KafkaMessageBus({ brokers: kafkaBrokers(), clientId: 'producer-renewal-test', namespace: testNamespace('producer'), log: (_level, message) => logged.push(message) });
    const received: string[] = [];
    await bus.connect();
    const topic = 'test.renewal.v1';
    await bus.ensureTopics([{ name: topic, partitions: 1 }]);
    const subscription = await bus.subscribe({ groupId: 'renewal', topics: [topic], handle: async (message) => void received.push(message.value) });
    try {
      await expect(bus.publish([{ topic: 'no/such topic', key: 'k', value: 'refused', headers: {} }])).rejects.toThrow();
      await bus.publish([{ topic, key: 'k', value: 'after', headers: {} }]);
      await eventually(() => expect(received).toEqual(['after']), { timeoutMs: 30_000 });
      expect(logged).not.toContain('kafka producer replaced after a refusal it cannot recover from');
    } finally {
      await subscription.stop();
      await bus.disconnect();
    }
  }, 60_000);
});
