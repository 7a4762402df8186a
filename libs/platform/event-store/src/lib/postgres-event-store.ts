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

/**
 * Work that must commit or roll back with the appended events (inline projections, say).
 * `beforeWrites` runs first, before the transaction writes anything: what it waits for (a read
 * model's rebuild) then holds no write open, which would hold the outbox relay back meanwhile.
 */
export type InTransaction = ((manager: EntityManager, events: readonly StoredEvent[]) => Promise<void>) & {
  beforeWrites?: (manager: EntityManager) => Promise<void>;
};

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
    const [result] = await this.appendToStreams([request], inTransaction);
    return result;
  }

  /**
   * Appends to several streams in one transaction (a bulk import's batch, say): all of them or,
   * on the first conflict, none. A few statements whatever the number of streams and events (the
   * streams' versions; the events with the keys they reserve; the outbox): a round trip costs more
   * than a row.
   */
  async appendToStreams(requests: readonly AppendRequest[], inTransaction?: InTransaction): Promise<AppendResult[]> {
    if (requests.length === 0 || requests.some((request) => request.events.length === 0)) throw new Error('an append needs at least one event per stream');
    if (new Set(requests.map((request) => request.streamId)).size !== requests.length) throw new Error('one append per stream in a batch');
    return this.dataSource.transaction(async (manager) => {
      await inTransaction?.beforeWrites?.(manager);
      const firstVersions = await this.advanceStreams(manager, requests);
      const drafts = requests.flatMap((request, index) =>
        request.events.map((draft, offset) => ({ request, draft, version: firstVersions[index] + offset })),
      );
      await this.releaseReservations(manager, requests);
      const claims = reservationChanges(requests, 'reserve').sort((a, b) => byText(reservationKey(a), reservationKey(b)));
      // The events and the reservations they claim: one round trip.
      const rows = (await manager.query(
        `WITH appended AS (
           INSERT INTO event_store.events
             (stream_id, stream_type, stream_version, tenant_id, event_id, event_type, schema_version, data, metadata, occurred_at)
           SELECT * FROM unnest($1::text[], $2::text[], $3::int[], $4::text[], $5::uuid[], $6::text[], $7::int[], $8::jsonb[], $9::jsonb[], $10::timestamptz[])
           RETURNING global_position, event_id
         ), claimed AS (
           INSERT INTO event_store.reservations (scope, key, stream_id) SELECT * FROM unnest($11::text[], $12::text[], $13::text[])
           ON CONFLICT (scope, key) DO NOTHING RETURNING scope, key, stream_id
         )
         SELECT global_position::text AS global_position, event_id::text AS event_id, NULL AS scope, NULL AS key, NULL AS stream_id FROM appended
         UNION ALL SELECT NULL, NULL, scope, key, stream_id FROM claimed`,
        [
          drafts.map(({ request }) => request.streamId),
          drafts.map(({ request }) => request.streamType),
          drafts.map(({ version }) => version),
          drafts.map(({ request }) => request.tenantId),
          drafts.map(({ draft }) => draft.metadata.eventId),
          drafts.map(({ draft }) => draft.type),
          drafts.map(({ draft }) => draft.schemaVersion),
          drafts.map(({ draft }) => JSON.stringify(draft.data)),
          drafts.map(({ draft }) => JSON.stringify(draft.metadata)),
          drafts.map(({ draft }) => draft.metadata.occurredAt),
          claims.map((claim) => claim.scope),
          claims.map((claim) => claim.key),
          claims.map((claim) => claim.streamId),
        ],
      )) as { global_position: string | null; event_id: string | null; scope: string | null; key: string | null; stream_id: string | null }[];
      await this.checkClaims(manager, claims, rows.filter((row) => row.scope !== null) as { scope: string; key: string; stream_id: string }[]);
      const positions = new Map(rows.filter((row) => row.event_id !== null).map((row) => [row.event_id!, row.global_position!]));
      const results: AppendResult[] = requests.map((request, index) => ({
        nextVersion: firstVersions[index] + request.events.length - 1,
        events: request.events.map((draft, offset) => ({
          globalPosition: positions.get(draft.metadata.eventId)!,
          streamId: request.streamId,
          streamType: request.streamType,
          streamVersion: firstVersions[index] + offset,
          eventId: draft.metadata.eventId,
          type: draft.type,
          schemaVersion: draft.schemaVersion,
          data: draft.data,
          metadata: draft.metadata,
        })),
      }));
      const messages = requests.flatMap((request, index) => request.toOutbox?.(results[index].events) ?? []);
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
      if (inTransaction) await inTransaction(manager, results.flatMap((result) => result.events));
      return results;
    });
  }

  async readStream(streamId: string): Promise<StoredEvent[]> {
    return (await this.readStreams([streamId])).get(streamId)!;
  }

  /** Several streams at once, each in version order (a batch of commands loads its state so). */
  async readStreams(streamIds: readonly string[]): Promise<Map<string, StoredEvent[]>> {
    if (streamIds.length === 0) return new Map();
    const rows = (await this.dataSource.query(
      `SELECT global_position, stream_id, stream_type, stream_version, event_id, event_type, schema_version, data, metadata
         FROM event_store.events WHERE stream_id = ANY($1::text[]) ORDER BY stream_id, stream_version`,
      [streamIds],
    )) as EventRow[];
    const streams = new Map<string, StoredEvent[]>(streamIds.map((streamId) => [streamId, []]));
    for (const row of rows) streams.get(row.stream_id)!.push(this.toStoredEvent(row));
    return streams;
  }

  /**
   * Reads every committed event after a cursor in the order of the transactions that wrote them
   * (each stream's in its own order; across streams not always the commit order), never past the
   * oldest transaction still in flight, so a reader that follows the cursor cannot skip a late commit.
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

  /** Moves every stream from its expected version; the first version each append writes. */
  private async advanceStreams(manager: EntityManager, requests: readonly AppendRequest[]): Promise<number[]> {
    const created = requests.filter((request) => request.expectedVersion === 0);
    if (created.length > 0) {
      const inserted = (await manager.query(
        `INSERT INTO event_store.streams (stream_id, stream_type, tenant_id, version)
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::int[]) ON CONFLICT (stream_id) DO NOTHING RETURNING stream_id`,
        [created.map((r) => r.streamId), created.map((r) => r.streamType), created.map((r) => r.tenantId), created.map((r) => r.events.length)],
      )) as { stream_id: string }[];
      if (inserted.length < created.length) {
        const claimed = new Set(inserted.map((row) => row.stream_id));
        throw await this.conflict(manager, created.find((request) => !claimed.has(request.streamId))!.streamId, 0);
      }
    }
    // In one order for every writer, so two batches sharing streams wait for each other instead of deadlocking.
    const existing = requests
      .filter((request): request is AppendRequest & { expectedVersion: number } => typeof request.expectedVersion === 'number' && request.expectedVersion > 0)
      .sort((a, b) => byText(a.streamId, b.streamId));
    if (existing.length > 0) {
      const moved = returnedRows<{ stream_id: string }>(
        await manager.query(
          `UPDATE event_store.streams s SET version = s.version + e.count, updated_at = now()
             FROM unnest($1::text[], $2::int[], $3::int[]) AS e(stream_id, expected, count)
            WHERE s.stream_id = e.stream_id AND s.version = e.expected RETURNING s.stream_id`,
          [existing.map((r) => r.streamId), existing.map((r) => r.expectedVersion), existing.map((r) => r.events.length)],
        ),
      );
      if (moved.length < existing.length) {
        const advanced = new Set(moved.map((row) => row.stream_id));
        const stale = existing.find((request) => !advanced.has(request.streamId))!;
        throw await this.conflict(manager, stale.streamId, stale.expectedVersion);
      }
    }
    const firstVersions: number[] = [];
    for (const request of requests) {
      if (request.expectedVersion !== 'any') {
        firstVersions.push(request.expectedVersion + 1);
        continue;
      }
      const [row] = (await manager.query(
        `INSERT INTO event_store.streams (stream_id, stream_type, tenant_id, version) VALUES ($1, $2, $3, $4)
         ON CONFLICT (stream_id) DO UPDATE SET version = event_store.streams.version + $4, updated_at = now()
         RETURNING version`,
        [request.streamId, request.streamType, request.tenantId, request.events.length],
      )) as { version: number }[];
      firstVersions.push(row.version - request.events.length + 1);
    }
    return firstVersions;
  }

  private async conflict(manager: EntityManager, streamId: string, expected: number): Promise<StreamVersionConflictError> {
    const [row] = (await manager.query(`SELECT version FROM event_store.streams WHERE stream_id = $1`, [streamId])) as {
      version: number;
    }[];
    return new StreamVersionConflictError(streamId, expected, row?.version ?? 0);
  }

  /** Gives back the keys the appends release (before anything claims them). */
  private async releaseReservations(manager: EntityManager, requests: readonly AppendRequest[]): Promise<void> {
    const releases = reservationChanges(requests, 'release');
    if (releases.length === 0) return;
    await manager.query(
      `DELETE FROM event_store.reservations r USING unnest($1::text[], $2::text[], $3::text[]) AS g(scope, key, stream_id)
        WHERE r.scope = g.scope AND r.key = g.key AND r.stream_id = g.stream_id`,
      [releases.map((change) => change.scope), releases.map((change) => change.key), releases.map((change) => change.streamId)],
    );
  }

  /** A key the append could not claim is fine when the claiming stream already holds it (a no-op re-claim), a conflict otherwise. */
  private async checkClaims(
    manager: EntityManager,
    claims: readonly { scope: string; key: string; streamId: string }[],
    claimed: readonly { scope: string; key: string; stream_id: string }[],
  ): Promise<void> {
    const claimedBy = new Map(claimed.map((row) => [reservationKey(row), row.stream_id]));
    const unclaimed = claims.filter((claim) => claimedBy.get(reservationKey(claim)) !== claim.streamId);
    if (unclaimed.length === 0) return;
    const holders = (await manager.query(
      `SELECT r.scope, r.key, r.stream_id FROM event_store.reservations r
         JOIN unnest($1::text[], $2::text[]) AS w(scope, key) ON r.scope = w.scope AND r.key = w.key`,
      [unclaimed.map((claim) => claim.scope), unclaimed.map((claim) => claim.key)],
    )) as { scope: string; key: string; stream_id: string }[];
    const heldBy = new Map(holders.map((row) => [reservationKey(row), row.stream_id]));
    const conflict = unclaimed.find((claim) => heldBy.get(reservationKey(claim)) !== claim.streamId);
    if (conflict) throw new ReservationConflictError(conflict.scope, conflict.key);
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

/** Every release or every claim of the appends, each with the stream that makes it. */
function reservationChanges(requests: readonly AppendRequest[], action: 'reserve' | 'release') {
  return requests.flatMap((request) => (request.reservations ?? []).filter((change) => change.action === action).map((change) => ({ ...change, streamId: request.streamId })));
}

function reservationKey(reservation: { scope: string; key: string }): string {
  return `${reservation.scope}\u0000${reservation.key}`;
}

function byText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A position in the store's reading order: the writing transaction id, then the global position. */
export interface CommitCursor {
  transactionId: string;
  position: string;
}

export const START_OF_STORE: CommitCursor = { transactionId: '0', position: '0' };
