import type { DataSource, EntityManager } from 'typeorm';
import { returnedRows } from './database';
import { ReservationConflictError, StreamVersionConflictError } from './event-store.errors';
import type { AppendRequest, AppendResult, StoredEvent, Upcaster } from './event-store.types';

interface EventRow {
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

/** Work that must commit or roll back with the appended events (inline projections, say). */
export type InTransaction = (manager: EntityManager, result: AppendResult) => Promise<void>;

export class PostgresEventStore {
  private readonly upcasters = new Map<string, Upcaster[]>();

  constructor(
    private readonly dataSource: DataSource,
    upcasters: readonly Upcaster[] = [],
  ) {
    for (const upcaster of upcasters) {
      const list = this.upcasters.get(upcaster.eventType) ?? [];
      list.push(upcaster);
      list.sort((a, b) => a.fromSchemaVersion - b.fromSchemaVersion);
      this.upcasters.set(upcaster.eventType, list);
    }
  }

  /**
   * Appends events, reservations and outbox messages in one transaction. The stream row is the
   * concurrency guard: only one writer can move it from the expected version.
   */
  async appendToStream(request: AppendRequest, inTransaction?: InTransaction): Promise<AppendResult> {
    if (request.events.length === 0) throw new Error('appendToStream needs at least one event');
    return this.dataSource.transaction(async (manager) => {
      const firstVersion = await this.advanceStream(manager, request);
      // One statement per table, whatever the number of events: a round trip costs more than a row.
      const rows = (await manager.query(
        `INSERT INTO event_store.events
           (stream_id, stream_type, stream_version, tenant_id, event_id, event_type, schema_version, data, metadata, occurred_at)
         SELECT $1, $2, version, $3, event_id, event_type, schema_version, data, metadata, occurred_at
           FROM unnest($4::int[], $5::uuid[], $6::text[], $7::int[], $8::jsonb[], $9::jsonb[], $10::timestamptz[])
             AS e(version, event_id, event_type, schema_version, data, metadata, occurred_at)
         RETURNING global_position, stream_version`,
        [
          request.streamId,
          request.streamType,
          request.tenantId,
          request.events.map((_, index) => firstVersion + index),
          request.events.map((draft) => draft.metadata.eventId),
          request.events.map((draft) => draft.type),
          request.events.map((draft) => draft.schemaVersion),
          request.events.map((draft) => JSON.stringify(draft.data)),
          request.events.map((draft) => JSON.stringify(draft.metadata)),
          request.events.map((draft) => draft.metadata.occurredAt),
        ],
      )) as { global_position: string; stream_version: number }[];
      const positions = new Map(rows.map((row) => [row.stream_version, String(row.global_position)]));
      const events: StoredEvent[] = request.events.map((draft, index) => ({
        globalPosition: positions.get(firstVersion + index)!,
        streamId: request.streamId,
        streamType: request.streamType,
        streamVersion: firstVersion + index,
        eventId: draft.metadata.eventId,
        type: draft.type,
        schemaVersion: draft.schemaVersion,
        data: draft.data,
        metadata: draft.metadata,
      }));
      await this.applyReservations(manager, request);
      const messages = request.toOutbox?.(events) ?? [];
      if (messages.length > 0) {
        await manager.query(
          `INSERT INTO event_store.outbox (event_id, topic, message_key, headers, payload)
           SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::jsonb[], $5::jsonb[])`,
          [
            messages.map((message) => message.eventId),
            messages.map((message) => message.topic),
            messages.map((message) => message.key),
            messages.map((message) => JSON.stringify(message.headers)),
            messages.map((message) => JSON.stringify(message.payload)),
          ],
        );
      }
      const result: AppendResult = { nextVersion: firstVersion + request.events.length - 1, events };
      if (inTransaction) await inTransaction(manager, result);
      return result;
    });
  }

  async readStream(streamId: string): Promise<StoredEvent[]> {
    const rows = (await this.dataSource.query(
      `SELECT global_position, stream_id, stream_type, stream_version, event_id, event_type, schema_version, data, metadata
         FROM event_store.events WHERE stream_id = $1 ORDER BY stream_version`,
      [streamId],
    )) as EventRow[];
    return rows.map((row) => this.toStoredEvent(row));
  }

  /**
   * Reads every committed event in commit order after a cursor, never past the oldest transaction
   * still in flight, so a reader that follows the cursor cannot skip a late commit.
   */
  async readAll(after: CommitCursor = START_OF_STORE, limit = 1000): Promise<{ events: StoredEvent[]; cursor: CommitCursor }> {
    const rows = (await this.dataSource.query(
      `SELECT transaction_id::text AS transaction_id, global_position, stream_id, stream_type, stream_version, event_id,
              event_type, schema_version, data, metadata
         FROM event_store.events e
        WHERE (transaction_id, global_position) > ($1::xid8, $2::bigint)
          AND transaction_id < pg_snapshot_xmin(pg_current_snapshot())
        ORDER BY e.transaction_id, e.global_position
        LIMIT $3`,
      [after.transactionId, after.position, limit],
    )) as (EventRow & { transaction_id: string })[];
    const last = rows.at(-1);
    return {
      events: rows.map((row) => this.toStoredEvent(row)),
      cursor: last ? { transactionId: last.transaction_id, position: String(last.global_position) } : after,
    };
  }

  private async advanceStream(manager: EntityManager, request: AppendRequest): Promise<number> {
    const count = request.events.length;
    if (request.expectedVersion === 0) {
      const inserted = (await manager.query(
        `INSERT INTO event_store.streams (stream_id, stream_type, tenant_id, version) VALUES ($1, $2, $3, $4)
         ON CONFLICT (stream_id) DO NOTHING RETURNING version`,
        [request.streamId, request.streamType, request.tenantId, count],
      )) as unknown[];
      if (inserted.length === 0) throw await this.conflict(manager, request.streamId, 0);
      return 1;
    }
    if (request.expectedVersion === 'any') {
      const [row] = (await manager.query(
        `INSERT INTO event_store.streams (stream_id, stream_type, tenant_id, version) VALUES ($1, $2, $3, $4)
         ON CONFLICT (stream_id) DO UPDATE SET version = event_store.streams.version + $4, updated_at = now()
         RETURNING version`,
        [request.streamId, request.streamType, request.tenantId, count],
      )) as { version: number }[];
      return row.version - count + 1;
    }
    const updated = (await manager.query(
      `UPDATE event_store.streams SET version = version + $3, updated_at = now()
        WHERE stream_id = $1 AND version = $2 RETURNING version`,
      [request.streamId, request.expectedVersion, count],
    )) as unknown[];
    if (returnedRows(updated).length === 0) throw await this.conflict(manager, request.streamId, request.expectedVersion);
    return request.expectedVersion + 1;
  }

  private async conflict(manager: EntityManager, streamId: string, expected: number): Promise<StreamVersionConflictError> {
    const [row] = (await manager.query(`SELECT version FROM event_store.streams WHERE stream_id = $1`, [streamId])) as {
      version: number;
    }[];
    return new StreamVersionConflictError(streamId, expected, row?.version ?? 0);
  }

  private async applyReservations(manager: EntityManager, request: AppendRequest): Promise<void> {
    for (const change of request.reservations ?? []) {
      if (change.action === 'release') {
        await manager.query(`DELETE FROM event_store.reservations WHERE scope = $1 AND key = $2 AND stream_id = $3`, [
          change.scope,
          change.key,
          request.streamId,
        ]);
        continue;
      }
      const claimed = (await manager.query(
        `INSERT INTO event_store.reservations (scope, key, stream_id) VALUES ($1, $2, $3) ON CONFLICT (scope, key) DO NOTHING RETURNING 1`,
        [change.scope, change.key, request.streamId],
      )) as unknown[];
      if (claimed.length > 0) continue;
      // Already held: fine when this stream holds it (a no-op re-claim), a conflict otherwise.
      const [holder] = (await manager.query(`SELECT stream_id FROM event_store.reservations WHERE scope = $1 AND key = $2`, [
        change.scope,
        change.key,
      ])) as { stream_id: string }[];
      if (holder?.stream_id !== request.streamId) throw new ReservationConflictError(change.scope, change.key);
    }
  }

  private toStoredEvent(row: EventRow): StoredEvent {
    let data = row.data;
    let schemaVersion = row.schema_version;
    for (const upcaster of this.upcasters.get(row.event_type) ?? []) {
      if (upcaster.fromSchemaVersion === schemaVersion) {
        data = upcaster.upcast(data);
        schemaVersion += 1;
      }
    }
    return {
      globalPosition: String(row.global_position),
      streamId: row.stream_id,
      streamType: row.stream_type,
      streamVersion: row.stream_version,
      eventId: row.event_id,
      type: row.event_type,
      schemaVersion,
      data,
      metadata: row.metadata,
    };
  }
}

/** A position in commit order: the writing transaction id, then the global position. */
export interface CommitCursor {
  transactionId: string;
  position: string;
}

export const START_OF_STORE: CommitCursor = { transactionId: '0', position: '0' };
