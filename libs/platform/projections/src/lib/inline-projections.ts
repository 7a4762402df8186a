import type { EntityManager } from 'typeorm';
import { eventDefinition, type IntegrationEvent } from '@identity/contracts';
import { aggregateIdOf, toIntegrationEvent, type InTransaction, type IntegrationMapper, type StoredEvent } from '@identity/platform-event-store';
import { afterAnyRebuild, applyAllOnce, applyOnce } from './projection-runner';
import type { Projection } from './projection';

/**
 * Applies the new events to read models inside the writing transaction, so the writer reads its
 * own writes at once. Another service may have written earlier versions of the same stream that
 * the bus has not delivered yet: those are read from the store first, so nothing is skipped. The
 * bus copies of all of them are then no-ops. `alsoWaitFor`: read models whose tables the writer's
 * transaction reads or locks besides these (a check of another model, say): their rebuilds are
 * waited for before writing too.
 */
export function inlineProjections(projections: readonly Projection[], mapper: IntegrationMapper, alsoWaitFor: readonly Projection[] = []): InTransaction {
  // The transactions whose writer waited for the rebuilds before writing (see beforeWrites below).
  const waited = new WeakSet<EntityManager>();
  const apply: InTransaction = async (manager, events) => {
    for (const projection of projections) {
      const batch: IntegrationEvent[] = [];
      const caughtUp = new Set<string>();
      for (const stored of events) {
        const event = eventFor(projection, stored, mapper);
        if (!event) continue;
        // A stream's events in one append are consecutive: catching up before its first is enough.
        if (!caughtUp.has(stored.streamId) && stored.streamVersion > 1) batch.push(...(await unapplied(manager, projection, mapper, stored.streamId, stored.streamVersion)));
        caughtUp.add(stored.streamId);
        batch.push(event);
      }
      // One event: claiming and applying it take two statements; more: applyAllOnce's two or three and the projection's own.
      if (batch.length > 1) await applyAllOnce(manager, projection, batch, waited.has(manager));
      else if (batch.length === 1) await applyOnce(manager, projection, batch[0]);
    }
  };
  // A rebuild of one of these read models is waited for before the writer writes: see InTransaction.
  apply.beforeWrites = async (manager) => {
    const waitedFor = [...projections, ...alsoWaitFor];
    await manager.query(`SELECT ${waitedFor.map((_, index) => afterAnyRebuild(`$${index + 1}`)).join(', ')}`, waitedFor.map((projection) => projection.name));
    waited.add(manager);
  };
  return apply;
}

/** An InTransaction that does more around another: it waits for what the other waits for, first. */
export function around(inner: InTransaction, work: InTransaction): InTransaction {
  return Object.assign(work, { beforeWrites: inner.beforeWrites });
}

/** What a projection sees of a stored event: its private form, its published form, or nothing. */
export function eventFor(projection: Projection, stored: StoredEvent, mapper: IntegrationMapper): IntegrationEvent | null {
  if (projection.privateStreams?.includes(stored.streamType)) return privateEnvelope(stored);
  const event = toIntegrationEvent(stored, mapper);
  if (!event) return null;
  return projection.topics.includes(eventDefinition(event.eventType)!.topic.name) ? event : null;
}

function privateEnvelope(stored: StoredEvent): IntegrationEvent {
  return {
    eventId: stored.eventId,
    eventType: stored.type,
    schemaVersion: stored.schemaVersion,
    tenantId: stored.metadata.tenantId ?? '',
    aggregateId: aggregateIdOf(stored.streamId),
    aggregateVersion: stored.streamVersion,
    occurredAt: stored.metadata.occurredAt,
    causationId: stored.metadata.causationId,
    correlationId: stored.metadata.correlationId,
    data: stored.data,
  };
}

/**
 * Brings one stream's row of a read model up to the store, whatever the bus has delivered: a
 * read-modify-write that read the row can then trust it (a SCIM PATCH after an admin's change, say).
 */
export async function catchUpStream(manager: EntityManager, projection: Projection, mapper: IntegrationMapper, streamId: string): Promise<void> {
  const missing = await unapplied(manager, projection, mapper, streamId, null);
  if (missing.length > 0) await applyAllOnce(manager, projection, missing);
}

/** Events of the stream (before `beforeVersion`, if given) that the projection has not applied yet (written by another service, say). */
async function unapplied(
  manager: EntityManager,
  projection: Projection,
  mapper: IntegrationMapper,
  streamId: string,
  beforeVersion: number | null,
): Promise<IntegrationEvent[]> {
  const [progress] = (await manager.query(
    `SELECT version FROM ${projection.schema}.projection_progress WHERE projection = $1 AND aggregate_id = $2`,
    [projection.name, aggregateIdOf(streamId)],
  )) as { version: number }[];
  const applied = progress?.version ?? 0;
  if (beforeVersion !== null && applied >= beforeVersion - 1) return [];
  const missing = (await manager.query(
    `SELECT global_position::text AS "globalPosition", stream_id AS "streamId", stream_type AS "streamType",
            stream_version AS "streamVersion", event_id AS "eventId", event_type AS type, schema_version AS "schemaVersion", data, metadata
       FROM event_store.events WHERE stream_id = $1 AND stream_version > $2 AND ($3::int IS NULL OR stream_version < $3) ORDER BY stream_version`,
    [streamId, applied, beforeVersion],
  )) as StoredEvent[];
  return missing.flatMap((stored) => eventFor(projection, stored, mapper) ?? []);
}
