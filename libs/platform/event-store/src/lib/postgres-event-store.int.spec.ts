import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { createTestDatabase, eventually } from '@identity/platform-testing';
import { createDataSource, runMigrations } from './database';
import { ReservationConflictError, StreamVersionConflictError } from './event-store.errors';
import { EVENT_STORE_MIGRATIONS } from './event-store.migration';
import { PostgresEventStore } from './postgres-event-store';
import type { StoredEventDraft } from './event-store.types';

const tenantId = randomUUID();
const draft = (type = 'Noted'): StoredEventDraft => ({
  type,
  data: { at: Date.now() },
  schemaVersion: 1,
  metadata: { eventId: randomUUID(), tenantId, occurredAt: new Date().toISOString(), correlationId: 'test', causationId: 'test' },
});

describe('PostgresEventStore (real PostgreSQL)', () => {
  let url: string;
  let dataSource: DataSource;
  let store: PostgresEventStore;

  beforeAll(async () => {
    url = await createTestDatabase();
    dataSource = createDataSource({ url, migrations: [...EVENT_STORE_MIGRATIONS], poolSize: 30 });
    await dataSource.initialize();
    await runMigrations(dataSource);
    store = new PostgresEventStore(dataSource);
  });

  afterAll(async () => {
    await dataSource.destroy();
  });

  it('appends and reads a stream in version order', async () => {
    const streamId = `user-${randomUUID()}`;
    const first = await store.appendToStream({ streamId, streamType: 'user', tenantId, expectedVersion: 0, events: [draft('A'), draft('B')] });
    expect(first.nextVersion).toBe(2);
    await store.appendToStream({ streamId, streamType: 'user', tenantId, expectedVersion: 2, events: [draft('C')] });
    const events = await store.readStream(streamId);
    expect(events.map((event) => [event.type, event.streamVersion])).toEqual([
      ['A', 1],
      ['B', 2],
      ['C', 3],
    ]);
  });

  it('lets exactly one of many concurrent appends at the same expected version win', async () => {
    const streamId = `user-${randomUUID()}`;
    await store.appendToStream({ streamId, streamType: 'user', tenantId, expectedVersion: 0, events: [draft()] });
    const attempts = await Promise.allSettled(
      Array.from({ length: 20 }, () => store.appendToStream({ streamId, streamType: 'user', tenantId, expectedVersion: 1, events: [draft()] })),
    );
    const won = attempts.filter((attempt) => attempt.status === 'fulfilled');
    const lost = attempts.filter((attempt): attempt is PromiseRejectedResult => attempt.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(19);
    for (const failure of lost) expect(failure.reason).toBeInstanceOf(StreamVersionConflictError);
    expect(await store.readStream(streamId)).toHaveLength(2);
  });

  it('lets exactly one of concurrent new streams claim a unique key, and changes nothing for the losers', async () => {
    const key = `user-${randomUUID()}@contoso.com`;
    const streams = Array.from({ length: 10 }, () => `user-${randomUUID()}`);
    const attempts = await Promise.allSettled(
      streams.map((streamId) =>
        store.appendToStream({
          streamId,
          streamType: 'user',
          tenantId,
          expectedVersion: 0,
          events: [draft()],
          reservations: [{ action: 'reserve', scope: 'username', key }],
        }),
      ),
    );
    expect(attempts.filter((attempt) => attempt.status === 'fulfilled')).toHaveLength(1);
    for (const attempt of attempts) if (attempt.status === 'rejected') expect(attempt.reason).toBeInstanceOf(ReservationConflictError);
    const [{ count }] = await dataSource.query(`SELECT count(*)::int AS count FROM event_store.events WHERE stream_id = ANY($1)`, [streams]);
    expect(count).toBe(1);
  });

  it('writes the outbox in the same transaction: a failed append leaves no message behind', async () => {
    const streamId = `user-${randomUUID()}`;
    const toOutbox = () => [{ eventId: randomUUID(), topic: 't', key: streamId, headers: {}, payload: {} }];
    await store.appendToStream({ streamId, streamType: 'user', tenantId, expectedVersion: 0, events: [draft()], toOutbox });
    await expect(store.appendToStream({ streamId, streamType: 'user', tenantId, expectedVersion: 0, events: [draft()], toOutbox })).rejects.toBeInstanceOf(
      StreamVersionConflictError,
    );
    const [{ count }] = await dataSource.query(`SELECT count(*)::int AS count FROM event_store.outbox WHERE message_key = $1`, [streamId]);
    expect(count).toBe(1);
  });

  it('appends to many streams in one transaction: all of them, or on one stale version none', async () => {
    const existing = `user-${randomUUID()}`;
    await store.appendToStream({ streamId: existing, streamType: 'user', tenantId, expectedVersion: 0, events: [draft('A')] });
    const fresh = `user-${randomUUID()}`;
    const toOutbox = (events: readonly { eventId: string; streamId: string }[]) => events.map((event) => ({ eventId: event.eventId, topic: 't', key: event.streamId, headers: {}, payload: {} }));
    const results = await store.appendToStreams([
      { streamId: existing, streamType: 'user', tenantId, expectedVersion: 1, events: [draft('B'), draft('C')], toOutbox },
      { streamId: fresh, streamType: 'user', tenantId, expectedVersion: 0, events: [draft('X')], toOutbox },
    ]);
    expect(results.map((result) => [result.nextVersion, result.events.map((event) => event.streamVersion)])).toEqual([
      [3, [2, 3]],
      [1, [1]],
    ]);
    const streams = await store.readStreams([existing, fresh, `user-${randomUUID()}`]);
    expect([...streams.values()].map((events) => events.map((event) => event.type))).toEqual([['A', 'B', 'C'], ['X'], []]);

    const another = `user-${randomUUID()}`;
    await expect(
      store.appendToStreams([
        { streamId: another, streamType: 'user', tenantId, expectedVersion: 0, events: [draft('Y')], toOutbox },
        { streamId: existing, streamType: 'user', tenantId, expectedVersion: 1, events: [draft('D')], toOutbox },
      ]),
    ).rejects.toMatchObject({ name: 'StreamVersionConflictError', streamId: existing });
    expect((await store.readStreams([another, existing])).get(another)).toEqual([]);
    const [{ count }] = await dataSource.query(`SELECT count(*)::int AS count FROM event_store.outbox WHERE message_key = ANY($1)`, [[existing, fresh, another]]);
    expect(count).toBe(3);
  });

  it('reads all events in commit order and never past a transaction still in flight', async () => {
    const { cursor: start } = await store.readAll(undefined, 100_000);
    const late = new Client({ connectionString: url });
    await late.connect();
    try {
      // The late transaction takes its position first but commits last.
      await late.query('BEGIN');
      await late.query(
        `INSERT INTO event_store.streams (stream_id, stream_type, tenant_id, version) VALUES ($1, 'user', $2, 1)`,
        [`user-late-${randomUUID()}`, tenantId],
      );
      const lateStream = (await late.query(`SELECT stream_id FROM event_store.streams ORDER BY updated_at DESC LIMIT 1`)).rows[0].stream_id;
      const lateEvent = draft('Late');
      await late.query(
        `INSERT INTO event_store.events (stream_id, stream_type, stream_version, tenant_id, event_id, event_type, schema_version, data, metadata, occurred_at)
         VALUES ($1, 'user', 1, $2, $3, 'Late', 1, '{}', '{}', now())`,
        [lateStream, tenantId, lateEvent.metadata.eventId],
      );
      const early = `user-${randomUUID()}`;
      await store.appendToStream({ streamId: early, streamType: 'user', tenantId, expectedVersion: 0, events: [draft('Early')] });

      const whileInFlight = await store.readAll(start);
      expect(whileInFlight.events.map((event) => event.type)).not.toContain('Early');

      await late.query('COMMIT');
      // The horizon is the cluster's oldest transaction in flight: tests in other databases may hold it back a moment longer.
      const afterCommit = await eventually(async () => {
        const read = await store.readAll(whileInFlight.cursor);
        expect(read.events.map((event) => event.type)).toContain('Early');
        return read;
      });
      expect(afterCommit.events.map((event) => event.type)).toEqual(['Late', 'Early']);
    } finally {
      await late.end();
    }
  });

  it('orders by transaction id as a number, not as text (99 before 100)', async () => {
    // Rows written with explicit old transaction ids, as after years of uptime the ids gain a digit.
    const streamId = `user-${randomUUID()}`;
    await dataSource.query(`INSERT INTO event_store.streams (stream_id, stream_type, tenant_id, version) VALUES ($1, 'user', $2, 2)`, [streamId, tenantId]);
    for (const [version, transactionId] of [[2, '100'], [1, '99']] as const) {
      await dataSource.query(
        `INSERT INTO event_store.events (transaction_id, stream_id, stream_type, stream_version, tenant_id, event_id, event_type, schema_version, data, metadata, occurred_at)
         VALUES ($1::xid8, $2, 'user', $3, $4, $5, 'Old', 1, '{}', '{}', now())`,
        [transactionId, streamId, version, tenantId, randomUUID()],
      );
    }
    const { events } = await store.readAll(undefined, 100_000);
    expect(events.filter((event) => event.streamId === streamId).map((event) => event.streamVersion)).toEqual([1, 2]);
  });
});
