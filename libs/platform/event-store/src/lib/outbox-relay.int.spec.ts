import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { KafkaMessageBus } from '@identity/platform-messaging';
import { collectFromKafka, createTestDatabase, drainUntilPublished, eventually, kafkaBrokers, testNamespace, type Collector } from '@identity/platform-testing';
import { createDataSource, runMigrations } from './database';
import { EVENT_STORE_MIGRATIONS } from './event-store.migration';
import { OutboxRelay } from './outbox-relay';

const TOPIC = 'test.relay.v1';

describe('OutboxRelay (real PostgreSQL, real Kafka)', () => {
  let url: string;
  let dataSource: DataSource;
  let bus: KafkaMessageBus;
  let collector: Collector;
  let relay: OutboxRelay;
  const namespace = testNamespace('relay');

  beforeAll(async () => {
    url = await createTestDatabase();
    dataSource = createDataSource({ url, migrations: [...EVENT_STORE_MIGRATIONS] });
    await dataSource.initialize();
    await runMigrations(dataSource);
    bus = new KafkaMessageBus({ brokers: kafkaBrokers(), clientId: 'relay-test', namespace });
    await bus.connect();
    await bus.ensureTopics([{ name: TOPIC, partitions: 3 }]);
    collector = await collectFromKafka(namespace, [TOPIC]);
    relay = new OutboxRelay(dataSource, bus, { name: 'test', databaseUrl: url });
  });

  afterAll(async () => {
    await relay.stop();
    await collector.stop();
    await bus.disconnect();
    await dataSource.destroy();
  });

  const insertOutbox = (db: { query: (sql: string, params: unknown[]) => Promise<unknown> }, key: string, n: number) =>
    db.query(`INSERT INTO event_store.outbox (event_id, topic, message_key, headers, payload) VALUES ($1, $2, $3, '{}', $4)`, [
      randomUUID(),
      TOPIC,
      key,
      JSON.stringify({ key, n }),
    ]);

  it('publishes a row whose transaction commits after a later row, instead of skipping it', async () => {
    const slow = new Client({ connectionString: url });
    await slow.connect();
    const early = `early-${randomUUID()}`;
    const late = `late-${randomUUID()}`;
    try {
      await slow.query('BEGIN');
      await insertOutbox(slow, early, 1); // takes the lower position, commits last
      await insertOutbox(dataSource, late, 1); // commits first
      expect(await relay.drainOnce()).toBe(0); // the horizon holds back everything after the open transaction
      await slow.query('COMMIT');
    } finally {
      await slow.end();
    }
    await drainUntilPublished(relay, 2);
    const keys = await eventually(() => {
      const seen = collector.messages.map((message) => message.key).filter((key) => key === early || key === late);
      expect(seen).toHaveLength(2);
      return seen;
    });
    expect(keys.sort()).toEqual([early, late].sort());
  });

  it('keeps each aggregate’s messages in order from many concurrent writers', async () => {
    const aggregates = Array.from({ length: 5 }, () => `agg-${randomUUID()}`);
    relay.start();
    try {
      // Per aggregate the writes are sequential (as the stream version guarantees); across aggregates concurrent.
      await Promise.all(
        aggregates.map(async (key) => {
          for (let n = 1; n <= 20; n++) await insertOutbox(dataSource, key, n);
        }),
      );
      await eventually(() => expect(collector.messages.filter((message) => aggregates.includes(message.key))).toHaveLength(100));
    } finally {
      await relay.stop(); // the later tests drain by hand: a running loop would publish their rows first
    }
    for (const key of aggregates) {
      const order = collector.messages.filter((message) => message.key === key).map((message) => JSON.parse(message.value).n);
      expect(order).toEqual(Array.from({ length: 20 }, (_, index) => index + 1));
    }
  });

  it('refuses to resume from a checkpoint past every transaction id of the database, as after a restore from a logical dump', async () => {
    const restored = new OutboxRelay(dataSource, bus, { name: 'restored', databaseUrl: url });
    await dataSource.query(`INSERT INTO event_store.relay_checkpoints (relay, last_transaction_id, last_position, published_total) VALUES ('restored', '50000000'::xid8, 7, 0)`);
    try {
      await expect(restored.caughtUp()).rejects.toThrow('restored from a logical dump');
    } finally {
      await dataSource.query(`DELETE FROM event_store.relay_checkpoints WHERE relay = 'restored'`);
    }
  });

  it('lets only one relay publish at a time', async () => {
    const second = new OutboxRelay(dataSource, bus, { name: 'test', databaseUrl: url });
    relay.start();
    try {
      await eventually(() => expect(relay.status.leader).toBe(true));
      second.start();
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      expect(second.status.leader).toBe(false);
    } finally {
      await second.stop();
      await relay.stop();
    }
  });

  it('deletes published rows past their retention, and never a row it has not published', async () => {
    const pruning = new OutboxRelay(dataSource, bus, { name: 'test', databaseUrl: url, retainPublishedMs: 7 * 86_400_000 });
    await relay.drainOnce();
    const [old, recent, pending] = ['old', 'recent', 'pending'].map((name) => `${name}-${randomUUID()}`);
    await insertOutbox(dataSource, old, 1);
    await insertOutbox(dataSource, recent, 1);
    await drainUntilPublished(relay, 2);
    await insertOutbox(dataSource, pending, 1);
    await dataSource.query(`UPDATE event_store.outbox SET created_at = now() - interval '8 days' WHERE message_key IN ($1, $2)`, [old, pending]);

    expect(await pruning.pruneOnce()).toBe(1);
    const left = (await dataSource.query(`SELECT message_key FROM event_store.outbox WHERE message_key = ANY($1)`, [[old, recent, pending]])) as { message_key: string }[];
    expect(left.map((row) => row.message_key).sort()).toEqual([recent, pending].sort());
    await drainUntilPublished(relay, 1);
  });
});
