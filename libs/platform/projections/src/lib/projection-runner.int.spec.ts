import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import type { IntegrationEvent } from '@identity/contracts';
import { EVENT_STORE_MIGRATIONS, createDataSource, runMigrations } from '@identity/platform-event-store';
import { KafkaMessageBus } from '@identity/platform-messaging';
import { createTestDatabase, eventually, kafkaBrokers, testNamespace, uniqueSuffix } from '@identity/platform-testing';
import { projectionProgressTableSql, type Projection } from './projection';
import { applyAllOnce, ProjectionRunner } from './projection-runner';

const TOPIC = 'test.counter.v1';

/** Counts deliveries it applies: a projection that would show any double application. */
const countingProjection: Projection = {
  name: 'test.counting',
  schema: 'counting',
  topics: [TOPIC],
  async apply(manager: EntityManager, event: IntegrationEvent) {
    await manager.query(
      `INSERT INTO counting.applied (aggregate_id, times) VALUES ($1, 1) ON CONFLICT (aggregate_id) DO UPDATE SET times = counting.applied.times + 1`,
      [event.aggregateId],
    );
    if ((event.data as { fail?: boolean }).fail) throw new Error('poison message');
  },
  async reset(manager: EntityManager) {
    await manager.query(`TRUNCATE counting.applied`);
  },
};

describe('ProjectionRunner (real PostgreSQL, real Kafka)', () => {
  let dataSource: DataSource;
  let bus: KafkaMessageBus;
  let runner: ProjectionRunner;
  const namespace = testNamespace('projection');

  beforeAll(async () => {
    dataSource = createDataSource({ url: await createTestDatabase(), migrations: [...EVENT_STORE_MIGRATIONS] });
    await dataSource.initialize();
    await runMigrations(dataSource);
    await dataSource.query(`CREATE SCHEMA counting`);
    await dataSource.query(projectionProgressTableSql('counting'));
    await dataSource.query(`CREATE TABLE counting.applied (aggregate_id text PRIMARY KEY, times integer NOT NULL)`);
    bus = new KafkaMessageBus({
      brokers: kafkaBrokers(),
      clientId: 'projection-test',
      namespace,
      retry: { attempts: 3, initialDelayMs: 20, maxDelayMs: 50 },
    });
    await bus.connect();
    await bus.ensureTopics([{ name: TOPIC, partitions: 3 }]);
    runner = new ProjectionRunner(dataSource, bus);
    await runner.start([countingProjection]);
  });

  afterAll(async () => {
    await runner.stop();
    await bus.disconnect();
    await dataSource.destroy();
  });

  const message = (aggregateId: string, version: number, data: Record<string, unknown> = {}) => {
    const event: IntegrationEvent = {
      eventId: randomUUID(),
      eventType: 'Counted',
      schemaVersion: 1,
      tenantId: randomUUID(),
      aggregateId,
      aggregateVersion: version,
      occurredAt: new Date().toISOString(),
      causationId: 'test',
      correlationId: 'test',
      data,
    };
    return { topic: TOPIC, key: aggregateId, value: JSON.stringify(event), headers: { 'event-id': event.eventId } };
  };

  const times = async (aggregateId: string) =>
    ((await dataSource.query(`SELECT times FROM counting.applied WHERE aggregate_id = $1`, [aggregateId])) as { times: number }[])[0]?.times ?? 0;

  it('applies a redelivered event once', async () => {
    const aggregate = randomUUID();
    const first = message(aggregate, 1);
    await bus.publish([first, first]);
    await bus.publish([first]);
    // A marker on the same key (so the same partition) is handled only after every duplicate.
    const marker = randomUUID();
    await bus.publish([{ ...message(marker, 1), key: aggregate }]);
    await eventually(async () => expect(await times(marker)).toBe(1));
    expect(await times(aggregate)).toBe(1);
    await bus.publish([message(aggregate, 2)]);
    await eventually(async () => expect(await times(aggregate)).toBe(2));
  });

  it('applies a batch once per event, in order, skipping what was applied before and repeats within it', async () => {
    const [a, b] = [randomUUID(), randomUUID()];
    const event = (aggregateId: string, version: number) => JSON.parse(message(aggregateId, version).value) as IntegrationEvent;
    const order: string[] = [];
    const recording: Projection = { ...countingProjection, apply: async (manager, applied) => {
      order.push(`${applied.aggregateId === a ? 'a' : 'b'}${applied.aggregateVersion}`);
      await countingProjection.apply(manager, applied);
    } };
    await dataSource.transaction((manager) => applyAllOnce(manager, recording, [event(a, 1)]));
    const applied = await dataSource.transaction((manager) => applyAllOnce(manager, recording, [event(a, 1), event(b, 1), event(a, 2), event(b, 1), event(a, 2), event(b, 2)]));
    expect(applied.map((one) => one.aggregateVersion)).toEqual([1, 2, 2]);
    expect(order).toEqual(['a1', 'b1', 'a2', 'b2']);
    expect([await times(a), await times(b)]).toEqual([2, 2]);
    const progress = await dataSource.query(`SELECT aggregate_id, version FROM counting.projection_progress WHERE aggregate_id = ANY($1) ORDER BY version`, [[a, b]]);
    expect(progress.map((row: { version: number }) => row.version)).toEqual([2, 2]);
    // Nothing new: nothing applied, and a failure rolls the whole batch back with its progress.
    expect(await dataSource.transaction((manager) => applyAllOnce(manager, recording, [event(a, 2), event(b, 1)]))).toEqual([]);
    const failing = { ...event(b, 3), data: { fail: true } };
    await expect(dataSource.transaction((manager) => applyAllOnce(manager, recording, [event(a, 3), failing]))).rejects.toThrow('poison message');
    expect([await times(a), await times(b)]).toEqual([2, 2]);
    expect(await dataSource.transaction((manager) => applyAllOnce(manager, recording, [event(a, 3)]))).toHaveLength(1);
  });

  it('applies a batch for an aggregate another transaction is applying for the first time once, after that one commits', async () => {
    const aggregate = randomUUID();
    const events = [1, 2].map((version) => JSON.parse(message(aggregate, version).value) as IntegrationEvent);
    const first = dataSource.createQueryRunner();
    await first.connect();
    await first.startTransaction();
    expect(await applyAllOnce(first.manager, countingProjection, events)).toHaveLength(2);
    // The second waits on the first's new progress row, then finds it already at version 2.
    const second = dataSource.transaction((manager) => applyAllOnce(manager, countingProjection, events));
    await new Promise((resolve) => setTimeout(resolve, 200));
    await first.commitTransaction();
    await first.release();
    expect(await second).toEqual([]);
    expect(await times(aggregate)).toBe(2);
  });

  it('moves a message that keeps failing to the dead-letter topic, rolls its effects back, and goes on', async () => {
    const poisoned = randomUUID();
    const dead = new KafkaMessageBus({ brokers: kafkaBrokers(), clientId: 'dlt-reader', namespace });
    await dead.connect();
    await dead.ensureTopics([{ name: 'dlt.projection.test.counting', partitions: 1 }]);
    const deadLetters: string[] = [];
    const subscription = await dead.subscribe({
      groupId: `dlt-reader-${uniqueSuffix()}`,
      topics: ['dlt.projection.test.counting'],
      handle: async (incoming) => void deadLetters.push(incoming.key),
    });
    try {
      await bus.publish([message(poisoned, 1, { fail: true })]);
      const after = randomUUID();
      await bus.publish([{ ...message(after, 1), key: poisoned }]);
      await eventually(() => expect(deadLetters).toContain(poisoned));
      await eventually(async () => expect(await times(after)).toBe(1));
      expect(await times(poisoned)).toBe(0);
    } finally {
      await subscription.stop();
      await dead.disconnect();
    }
  });
});
