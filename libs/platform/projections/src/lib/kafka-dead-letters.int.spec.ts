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

  it('sends dead letters back to the one group that gave up on them, once each, past the groups that handled them', async () => {
    const bus = new KafkaMessageBus({ brokers: kafkaBrokers(), clientId: 'redrive-test', namespace: testNamespace('redrive'), retry: { attempts: 2, initialDelayMs: 10, maxDelayMs: 20 } });
    await bus.connect();
    const topic = 'test.redrive.v1';
    await bus.ensureTopics([{ name: topic, partitions: 3 }]);
    let broken = true;
    const fragile: { value: string; headers: Record<string, string> }[] = [];
    const other: string[] = [];
    const subscriptions = [
      await bus.subscribe({
        groupId: 'reaction.fragile',
        topics: [topic],
        handle: async (message) => {
          if (broken && message.value === 'bad') throw new Error('a bug, fixed later');
          fragile.push({ value: message.value, headers: message.headers });
        },
      }),
      await bus.subscribe({ groupId: 'projection.other', topics: [topic], handle: async (message) => void other.push(message.value) }),
    ];
    // One key: one partition, so what the other group sees after the sentinel it saw after what came before.
    const send = (value: string) => bus.publish([{ topic, key: 'user-1', value, headers: { 'event-type': 'Test' } }]);
    try {
      for (const value of ['a', 'bad', 'c']) await send(value);
      await eventually(() => expect(fragile.map((message) => message.value)).toEqual(['a', 'c']), { timeoutMs: 30_000 });
      await eventually(async () => expect(await bus.deadLetters()).toEqual([{ groupId: 'reaction.fragile', waiting: 1 }]), { timeoutMs: 30_000 });

      broken = false;
      const progress: number[] = [];
      expect(await bus.redriveDeadLetters('reaction.fragile', (sent) => progress.push(sent))).toEqual({ sent: 1 });
      expect(progress).toEqual([1]);
      await send('sentinel');
      await eventually(() => expect(other).toEqual(['a', 'bad', 'c', 'sentinel']), { timeoutMs: 30_000 });
      await eventually(() => expect(fragile.map((message) => message.value)).toEqual(['a', 'c', 'bad', 'sentinel']), { timeoutMs: 30_000 });
      const redriven = fragile[2].headers;
      expect(redriven).toMatchObject({ 'event-type': 'Test', 'redrive-group': 'reaction.fragile' });
      expect(Object.keys(redriven).filter((name) => name.startsWith('dlt-'))).toEqual([]);

      // Sent once: a second run finds nothing new.
      expect(await bus.redriveDeadLetters('reaction.fragile')).toEqual({ sent: 0 });
      expect(await bus.deadLetters()).toEqual([{ groupId: 'reaction.fragile', waiting: 0 }]);
      expect(await bus.redriveDeadLetters('no.such.group')).toEqual({ sent: 0 });

      // Something that is not one of our dead letters fails the run, said once, instead of being retried for ever.
      await bus.publish([{ topic: 'dlt.reaction.fragile', key: 'user-1', value: 'stray', headers: {} }]);
      await expect(bus.redriveDeadLetters('reaction.fragile')).rejects.toThrow(/redrive of reaction.fragile stopped after 0 of 1: .*names no original topic/);
    } finally {
      for (const subscription of subscriptions) await subscription.stop();
      await bus.disconnect();
    }
  }, 120_000);

  it('two redrives of one group at once send each dead letter once between them, and both finish', async () => {
    const bus = new KafkaMessageBus({ brokers: kafkaBrokers(), clientId: 'redrive-twice-test', namespace: testNamespace('redrive-twice'), retry: { attempts: 1, initialDelayMs: 10, maxDelayMs: 10 } });
    await bus.connect();
    const topic = 'test.redrive-twice.v1';
    await bus.ensureTopics([{ name: topic, partitions: 1 }]);
    let broken = true;
    const handled: string[] = [];
    const subscription = await bus.subscribe({
      groupId: 'reaction.twice',
      topics: [topic],
      handle: async (message) => {
        if (broken) throw new Error('not yet');
        handled.push(message.value);
      },
    });
    try {
      await bus.publish([{ topic, key: 'user-1', value: 'first', headers: {} }]);
      await eventually(async () => expect(await bus.deadLetters()).toEqual([{ groupId: 'reaction.twice', waiting: 1 }]), { timeoutMs: 30_000 });
      broken = false;
      // The second joins the first's consumer group and is given nothing: it must notice the first sent it.
      const runs = await Promise.all([bus.redriveDeadLetters('reaction.twice'), bus.redriveDeadLetters('reaction.twice')]);
      expect(runs.map((run) => run.sent).sort()).toEqual([0, 1]);
      await eventually(() => expect(handled).toEqual(['first']), { timeoutMs: 30_000 });
    } finally {
      await subscription.stop();
      await bus.disconnect();
    }
  }, 120_000);

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
