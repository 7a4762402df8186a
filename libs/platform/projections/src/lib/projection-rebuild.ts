import type { IntegrationEvent } from '@identity/contracts';
import type { DataSource } from 'typeorm';
import { isSingleSessionDatabase, poolSizeOf, START_OF_STORE, type CommitCursor, type IntegrationMapper, type StoredEvent } from '@identity/platform-event-store';
import { eventFor } from './inline-projections';
import type { Projection } from './projection';

export interface RebuildResult {
  projection: string;
  eventsRead: number;
  eventsApplied: number;
  durationMs: number;
}

const REBUILD_PAGE = 10_000;

/**
 * Replays the event store into an emptied read model, in the order of the transactions that wrote
 * the events (each stream's in its own order; across streams see `Projection.replay`), in one transaction: readers
 * of the read model wait until it is complete (its reset empties the tables), and so do its live
 * consumers (AFTER_ANY_REBUILD), which then skip what the rebuild already applied.
 *
 * It replays exactly what had committed when it took the lock, whatever commits while its pages
 * are read: a transaction still open then may hold an earlier commit-order position than the page
 * being read, and the next version of its stream may commit after it, past that page. Replaying the
 * later version without the earlier one would make the live consumer skip the earlier one as
 * already applied; what the rebuild leaves out instead reaches that consumer, which waits for the
 * rebuild and applies it.
 */
export async function rebuildProjection(
  dataSource: DataSource,
  projection: Projection,
  mapper: IntegrationMapper,
  onProgress?: (eventsRead: number) => void | Promise<void>,
  pageSize = REBUILD_PAGE,
): Promise<RebuildResult> {
  const started = Date.now();
  let eventsRead = 0;
  let eventsApplied = 0;
  // Where a second connection can read while the rebuild's transaction is open (not on the
  // embedded, single-session database), the next page is read meanwhile: PostgreSQL does both at
  // once, and the events are committed and immutable.
  const readAhead = poolSizeOf(dataSource) >= 2 && !(await isSingleSessionDatabase(dataSource));
  let registered: string | undefined;
  try {
    await dataSource.transaction(async (manager) => {
      await manager.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [`projection-rebuild:${projection.name}`]);
      await projection.reset(manager);
      await manager.query(`DELETE FROM ${projection.schema}.projection_progress WHERE projection = $1`, [projection.name]);
      // What had committed then: below xmax and not in progress (`xmin:xmax:xip,...`), as two cheap conditions per row.
      const [{ snapshot }] = (await manager.query(`SELECT pg_current_snapshot()::text AS snapshot`)) as { snapshot: string }[];
      const [, horizon, inProgress] = snapshot.split(':');
      const openThen = inProgress ? inProgress.split(',') : [];
      if (readAhead) {
        // This transaction writes no outbox row: registered (from another connection, so that the relay
        // sees it at once), it does not hold back the publishing of what commits while it runs.
        const [{ xid }] = (await manager.query(`SELECT pg_current_xact_id()::text AS xid`)) as { xid: string }[];
        // A database without the table yet (migrations pending) only loses the relay's head start.
        await dataSource.query(`INSERT INTO event_store.outbox_free_transactions (transaction_id) VALUES ($1::xid8)`, [xid]).then(
          () => (registered = xid),
          () => undefined,
        );
      }
      // Each event is applied once, in order, to an empty model: the per-event duplicate check of
      // live projection is not needed here, and the progress is written once at the end.
      const progress = new Map<string, number>();
      const readPage = (after: CommitCursor) =>
        (readAhead ? dataSource : manager).query(
          `SELECT transaction_id::text AS transaction_id, global_position::text AS global_position, stream_id, stream_type,
                  stream_version, event_id, event_type, schema_version, data, metadata
             FROM event_store.events e
            WHERE (transaction_id, global_position) > ($1::xid8, $2::bigint)
              AND transaction_id < $3::xid8 AND transaction_id <> ALL($4::xid8[])
            ORDER BY e.transaction_id, e.global_position
            LIMIT ${pageSize}`,
          [after.transactionId, after.position, horizon, openThen],
        ) as Promise<RebuildRow[]>;
      let nextPage = readPage(START_OF_STORE);
      for (;;) {
        const rows = await nextPage;
        if (rows.length === 0) break;
        const last = rows[rows.length - 1];
        const following = () => (rows.length < pageSize ? Promise.resolve([]) : readPage({ transactionId: last.transaction_id, position: last.global_position }));
        if (readAhead) {
          nextPage = following();
          nextPage.catch(() => undefined); // awaited at the next turn; this keeps a failure from going unhandled meanwhile
        }
        const page: IntegrationEvent[] = [];
        for (const row of rows) {
          eventsRead++;
          const event = eventFor(projection, storedEventOf(row), mapper);
          if (!event) continue;
          page.push(event);
          progress.set(event.aggregateId, Math.max(progress.get(event.aggregateId) ?? 0, event.aggregateVersion));
          eventsApplied++;
        }
        if (projection.replay) await projection.replay(manager, page);
        else if (projection.applyMany) await projection.applyMany(manager, page);
        else for (const event of page) await projection.apply(manager, event);
        if (!readAhead) nextPage = following();
        await onProgress?.(eventsRead);
      }
      await projection.finishReplay?.(manager);
      const entries = [...progress];
      for (let index = 0; index < entries.length; index += 10_000) {
        const batch = entries.slice(index, index + 10_000);
        await manager.query(
          `INSERT INTO ${projection.schema}.projection_progress (projection, aggregate_id, version)
           SELECT $1, aggregate_id, version FROM unnest($2::text[], $3::int[]) AS p(aggregate_id, version)`,
          [projection.name, batch.map(([aggregateId]) => aggregateId), batch.map(([, version]) => version)],
        );
      }
    });
  } finally {
    if (registered) await dataSource.query(`DELETE FROM event_store.outbox_free_transactions WHERE transaction_id = $1::xid8`, [registered]);
  }
  return { projection: projection.name, eventsRead, eventsApplied, durationMs: Date.now() - started };
}

interface RebuildRow {
  transaction_id: string;
  global_position: string;
  stream_id: string;
  stream_type: string;
  stream_version: number;
  event_id: string;
  event_type: string;
  schema_version: number;
  data: unknown;
  metadata: StoredEvent['metadata'];
}

function storedEventOf(row: RebuildRow): StoredEvent {
  return {
    globalPosition: row.global_position,
    streamId: row.stream_id,
    streamType: row.stream_type,
    streamVersion: row.stream_version,
    eventId: row.event_id,
    type: row.event_type,
    schemaVersion: row.schema_version,
    data: row.data,
    metadata: row.metadata,
  };
}
