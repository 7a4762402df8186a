import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { EVENT_STORE_MIGRATIONS, OutboxRelay, createDataSource, runMigrations } from '@identity/platform-event-store';
import { KafkaMessageBus } from '@identity/platform-messaging';
import { createTestDatabase, eventually, kafkaBrokers, testNamespace } from '@identity/platform-testing';
import { ServiceMetrics } from './metrics';

describe('the relay’s health as monitoring reads it (real PostgreSQL, real Kafka)', () => {
  let dataSource: DataSource;
  let bus: KafkaMessageBus;
  let relay: OutboxRelay;
  const metrics = new ServiceMetrics('event-relay', false);

  beforeAll(async () => {
    const url = await createTestDatabase();
    dataSource = createDataSource({ url, migrations: [...EVENT_STORE_MIGRATIONS] });
    await dataSource.initialize();
    await runMigrations(dataSource);
    bus = new KafkaMessageBus({ brokers: kafkaBrokers(), clientId: 'relay-health-test', namespace: testNamespace('relay-health') });
    await bus.connect();
    relay = new OutboxRelay(dataSource, bus, { name: 'health', databaseUrl: url });
    metrics.watchRelay(relay);
  });

  afterAll(async () => {
    await relay.stop();
    await bus.disconnect();
    await dataSource.destroy();
  });

  /** The relay's gauges in the Prometheus text, by name. */
  async function gauges(): Promise<Record<string, number>> {
    const text = await metrics.registry.metrics();
    return Object.fromEntries([...text.matchAll(/^(outbox_relay_\w+)\{[^}]*\} (\S+)$/gm)].map(([, name, value]) => [name, Number(value)]));
  }

  it('shows a stalled relay: a message the broker refuses keeps every turn failing while the backlog ages, until it is gone', async () => {
    relay.start();
    await eventually(async () => expect(await gauges()).toMatchObject({ outbox_relay_leader: 1, outbox_relay_failing_seconds: 0, outbox_relay_unpublished_messages: 0 }));
    // A topic name Kafka refuses outright, as a misconfigured or unauthorised topic would be.
    await dataSource.query(`INSERT INTO event_store.outbox (event_id, topic, message_key, headers, payload) VALUES ($1, 'not a topic!', 'k', '{}', '{}')`, [randomUUID()]);
    await eventually(
      async () => {
        expect(relay.status.lastError).not.toBeNull();
        const stalled = await gauges();
        expect(stalled.outbox_relay_failing_seconds).toBeGreaterThan(1);
        expect(stalled.outbox_relay_unpublished_messages).toBe(1);
        expect(stalled.outbox_relay_oldest_unpublished_seconds).toBeGreaterThan(1);
      },
      { timeoutMs: 30_000 },
    );
    await dataSource.query(`DELETE FROM event_store.outbox WHERE topic = 'not a topic!'`);
    await eventually(async () => expect(await gauges()).toMatchObject({ outbox_relay_failing_seconds: 0, outbox_relay_unpublished_messages: 0, outbox_relay_oldest_unpublished_seconds: 0 }), {
      timeoutMs: 30_000,
    });
  }, 60_000);
});
