import { Kafka, logLevel, type Admin } from 'kafkajs';
import { KafkaMessageBus, type Subscription } from '@identity/platform-messaging';
import { eventually, kafkaBrokers, testNamespace } from '@identity/platform-testing';

// Here rather than beside the bus: the test harness itself depends on the messaging library.

const SESSION_MS = 6_000; // the broker's smallest session (group.min.session.timeout.ms)

describe('KafkaMessageBus with a handler that outlasts the consumer session (real Kafka)', () => {
  const subscriptions: Subscription[] = [];
  const buses: KafkaMessageBus[] = [];
  let admin: Admin;

  beforeAll(async () => {
    admin = new Kafka({ brokers: kafkaBrokers(), clientId: 'long-handler-test', logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
  });

  afterAll(async () => {
    await Promise.all(subscriptions.map((subscription) => subscription.stop()));
    await Promise.all(buses.map((bus) => bus.disconnect()));
    await admin.disconnect();
  });

  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  /** The consumer group as the broker sees it. */
  async function group(groupId: string) {
    const [described] = (await admin.describeGroups([groupId])).groups;
    return { state: described.state, members: described.members.length };
  }

  async function consume(name: string, options: { handleFor: (value: string) => number; maxHandlingMs?: number }) {
    const namespace = testNamespace(name);
    const bus = new KafkaMessageBus({ brokers: kafkaBrokers(), clientId: `long-handler-${name}`, namespace, sessionTimeoutMs: SESSION_MS, maxHandlingMs: options.maxHandlingMs });
    buses.push(bus);
    await bus.connect();
    const topic = `test.${name}.v1`;
    await bus.ensureTopics([{ name: topic, partitions: 1 }]);
    const deliveries: string[] = [];
    subscriptions.push(
      await bus.subscribe({
        groupId: `test.${name}`,
        topics: [topic],
        handle: async (message) => {
          deliveries.push(message.value);
          await sleep(options.handleFor(message.value));
        },
      }),
    );
    const publish = (...values: string[]) => bus.publish(values.map((value) => ({ topic, key: 'k', value, headers: {} })));
    return { deliveries, publish, groupId: `${namespace}test.${name}` };
  }

  it('stays in its group while the handler works (a wait for a sibling read model, a database failover), so nothing is handled twice', async () => {
    const { deliveries, publish, groupId } = await consume('slow', { handleFor: (value) => (value === 'slow' ? SESSION_MS + 4_000 : 0) });
    await publish('slow', 'next');
    await eventually(() => expect(deliveries).toEqual(['slow']));
    await sleep(SESSION_MS + 2_000);
    expect(deliveries).toEqual(['slow']);
    expect(await group(groupId)).toEqual({ state: 'Stable', members: 1 });
    await eventually(() => expect(deliveries).toEqual(['slow', 'next']), { timeoutMs: 30_000 });
    // A member the group had dropped would be handed 'slow' again after rejoining.
    await sleep(3_000);
    expect(deliveries).toEqual(['slow', 'next']);
  }, 60_000);

  it('but lets its session lapse when a handler is stuck past the handling limit, so the partition can go to a healthy member', async () => {
    const { deliveries, publish, groupId } = await consume('stuck', { maxHandlingMs: 2_000, handleFor: () => 3 * SESSION_MS });
    await publish('stuck');
    await eventually(() => expect(deliveries).toEqual(['stuck']));
    expect(await group(groupId)).toEqual({ state: 'Stable', members: 1 });
    await eventually(async () => expect(await group(groupId)).toMatchObject({ members: 0 }), { timeoutMs: 2 * SESSION_MS });
  }, 60_000);
});
