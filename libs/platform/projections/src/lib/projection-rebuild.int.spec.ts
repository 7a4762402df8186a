import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { EVENT_STORE_MIGRATIONS, OutboxRelay, aggregateIdOf, PostgresEventStore, createDataSource, publishAsIs, runMigrations } from '@identity/platform-event-store';
import { InProcessMessageBus } from '@identity/platform-messaging';
import { createTestDatabase, drainUntilPublished, eventually } from '@identity/platform-testing';
import { projectionProgressTableSql, type Projection } from './projection';
import { eventFor, inlineProjections } from './inline-projections';
import { rebuildProjection } from './projection-rebuild';
import { applyOnce } from './projection-runner';

describe('a read-model rebuild next to the relay (real PostgreSQL)', () => {
  let url: string;
  let dataSource: DataSource;

  beforeAll(async () => {
    url = await createTestDatabase();
    dataSource = createDataSource({ url, migrations: [...EVENT_STORE_MIGRATIONS], poolSize: 6 });
    await dataSource.initialize();
    await runMigrations(dataSource);
    await dataSource.query(`CREATE SCHEMA notes`);
    await dataSource.query(projectionProgressTableSql('notes'));
    await dataSource.query(`CREATE TABLE notes.rows (aggregate_id text PRIMARY KEY)`);
  });

  afterAll(() => dataSource.destroy());

  /** A projection of the private stream type whose rebuild stays open until released. */
  function gated(streamType: string): { projection: Projection; release: () => void } {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const projection: Projection = {
      name: `notes.${streamType}`,
      schema: 'notes',
      topics: [],
      privateStreams: [streamType],
      async apply(manager, event) {
        await gate;
        await manager.query(`INSERT INTO notes.rows (aggregate_id) VALUES ($1) ON CONFLICT DO NOTHING`, [event.aggregateId]);
      },
      async reset(manager) {
        await manager.query(`DELETE FROM notes.rows`);
      },
    };
    return { projection, release };
  }

  /** One event on a new stream of the type, as stored. */
  async function stored(streamType: string) {
    const store = new PostgresEventStore(dataSource);
    const streamId = `${streamType}-${randomUUID()}`;
    const tenantId = randomUUID();
    const metadata = { eventId: randomUUID(), tenantId, occurredAt: new Date().toISOString(), correlationId: 'test', causationId: 'test' };
    await store.appendToStream({ streamId, streamType, tenantId, expectedVersion: 0, events: [{ type: 'Noted', data: {}, schemaVersion: 1, metadata }] });
    return (await store.readStream(streamId))[0];
  }

  const registered = async () => dataSource.query(`SELECT 1 FROM event_store.outbox_free_transactions`) as Promise<unknown[]>;

  it('does not hold back the publishing of what commits while it runs', async () => {
    const { projection, release } = gated('note');
    await stored('note');

    const rebuilding = rebuildProjection(dataSource, projection, publishAsIs);
    await eventually(async () => expect(await registered()).toHaveLength(1));
    // Committed while the rebuild's transaction is open, by a writer of the live system.
    await dataSource.query(`INSERT INTO event_store.outbox (event_id, topic, message_key, headers, payload) VALUES ($1, 'test.notes.v1', 'k', '{}', '{}')`, [randomUUID()]);
    const relay = new OutboxRelay(dataSource, new InProcessMessageBus(), { name: 'rebuild-test', databaseUrl: url });
    try {
      // Transactions of other databases on the server count too (the horizon is the server's): they end soon; the rebuild's does not.
      await drainUntilPublished(relay, 1);
      expect(await registered()).toHaveLength(1);
    } finally {
      release();
      await relay.stop();
    }
    expect(await rebuilding).toMatchObject({ eventsApplied: 1 });
    expect(await registered()).toHaveLength(0);
  });

  it('and a writer keeping that read model in its own transaction waits for it before writing anything, so publishing goes on meanwhile', async () => {
    const { projection, release } = gated('page');
    await stored('page');

    const rebuilding = rebuildProjection(dataSource, projection, publishAsIs);
    await eventually(async () => expect(await registered()).toHaveLength(1));
    // A writer of the live system that applies the read model inline (as SCIM does scim.users): it waits for the rebuild.
    const tenantId = randomUUID();
    const metadata = { eventId: randomUUID(), tenantId, occurredAt: new Date().toISOString(), correlationId: 'test', causationId: 'test' };
    const streamId = `page-${randomUUID()}`;
    const writing = new PostgresEventStore(dataSource).appendToStream(
      { streamId, streamType: 'page', tenantId, expectedVersion: 0, events: [{ type: 'Noted', data: {}, schemaVersion: 1, metadata }] },
      inlineProjections([projection], publishAsIs),
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    // Committed meanwhile by another writer, after the waiting one started: published all the same (with what earlier tests left).
    const [{ earlier }] = (await dataSource.query(`SELECT count(*)::int AS earlier FROM event_store.outbox`)) as { earlier: number }[];
    await dataSource.query(`INSERT INTO event_store.outbox (event_id, topic, message_key, headers, payload) VALUES ($1, 'test.pages.v1', 'k', '{}', '{}')`, [randomUUID()]);
    const relay = new OutboxRelay(dataSource, new InProcessMessageBus(), { name: 'rebuild-writer-test', databaseUrl: url });
    try {
      await drainUntilPublished(relay, earlier + 1);
    } finally {
      release();
      await relay.stop();
    }
    expect(await rebuilding).toMatchObject({ eventsApplied: 1 });
    // The writer then wrote, and kept the rebuilt read model up to date.
    await writing;
    expect(await dataSource.query(`SELECT aggregate_id FROM notes.rows WHERE aggregate_id = $1`, [aggregateIdOf(streamId)])).toHaveLength(1);
  });

  it('and a live consumer applying an event of a new aggregate waits for it instead of deadlocking with it', async () => {
    const { projection, release } = gated('memo');
    await stored('memo');
    // An event the live consumer has not applied yet when the rebuild starts; the rebuild reads it too.
    const lagging = eventFor(projection, await stored('memo'), publishAsIs)!;

    const rebuilding = rebuildProjection(dataSource, projection, publishAsIs);
    await eventually(async () => expect(await registered()).toHaveLength(1));
    const consuming = dataSource.transaction((manager) => applyOnce(manager, projection, lagging));
    await new Promise((resolve) => setTimeout(resolve, 300));
    release();
    const [rebuilt, appliedByConsumer] = await Promise.all([rebuilding, consuming]);
    expect(rebuilt).toMatchObject({ eventsApplied: 2 });
    expect(appliedByConsumer).toBe(false);
  });

  it('replays what had committed when it started: never a later version of a stream without the earlier one it could not see', async () => {
    await dataSource.query(`CREATE TABLE notes.ledger (aggregate_id text, version int)`);
    let applied = 0;
    const projection: Projection = {
      name: 'notes.ledger',
      schema: 'notes',
      topics: [],
      privateStreams: ['ledger'],
      async apply(manager, event) {
        applied++;
        await manager.query(`INSERT INTO notes.ledger (aggregate_id, version) VALUES ($1, $2)`, [event.aggregateId, event.aggregateVersion]);
      },
      async reset(manager) {
        await manager.query(`DELETE FROM notes.ledger`);
      },
    };
    const store = new PostgresEventStore(dataSource);
    const account = `ledger-${randomUUID()}`;
    const tenantId = randomUUID();
    const event = () => ({ type: 'Noted', data: {}, schemaVersion: 1, metadata: { eventId: randomUUID(), tenantId, occurredAt: new Date().toISOString(), correlationId: 'test', causationId: 'test' } });
    // The account's first version, written by a transaction that is still open when the rebuild starts.
    let commitFirst!: () => void;
    let firstWritten!: () => void;
    const written = new Promise<void>((resolve) => (firstWritten = resolve));
    const firstCommitted = store.appendToStream({ streamId: account, streamType: 'ledger', tenantId, expectedVersion: 0, events: [event()] }, async () => {
      firstWritten();
      await new Promise<void>((resolve) => (commitFirst = resolve));
    });
    await written;
    // Later transactions: the rebuild's pages pass the open one's place in commit order before it commits.
    for (let index = 0; index < 3; index++) await stored('ledger');

    let meanwhile: Promise<void> | undefined;
    const rebuilt = await rebuildProjection(
      dataSource,
      projection,
      publishAsIs,
      () =>
        // Once a page has been applied: the first version commits, then the second, in a transaction after every page read so far.
        (meanwhile ??= applied > 0 ? (commitFirst(), firstCommitted.then(() => store.appendToStream({ streamId: account, streamType: 'ledger', tenantId, expectedVersion: 1, events: [event()] })).then(() => undefined)) : undefined),
      1,
    );
    expect(meanwhile).toBeDefined();
    expect(rebuilt).toMatchObject({ eventsApplied: 3 });
    expect(await dataSource.query(`SELECT version FROM notes.ledger WHERE aggregate_id = $1`, [aggregateIdOf(account)])).toEqual([]);
    // What it left out reaches the live consumer, which applies both versions in order.
    const [first, second] = (await store.readStream(account)).map((stored) => eventFor(projection, stored, publishAsIs)!);
    expect(await dataSource.transaction((manager) => applyOnce(manager, projection, first))).toBe(true);
    expect(await dataSource.transaction((manager) => applyOnce(manager, projection, second))).toBe(true);
    expect(await dataSource.query(`SELECT version FROM notes.ledger WHERE aggregate_id = $1 ORDER BY version`, [aggregateIdOf(account)])).toEqual([{ version: 1 }, { version: 2 }]);
  });
});
