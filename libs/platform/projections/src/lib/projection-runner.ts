import type { DataSource, EntityManager } from 'typeorm';
import type { IntegrationEvent } from '@identity/contracts';
import type { MessageBus, Subscription } from '@identity/platform-messaging';
import type { Projection } from './projection';

/**
 * Waits while the projection is being rebuilt ($1: its name; the rebuild holds the lock exclusively).
 * Otherwise an event of a new aggregate would claim its progress row, then wait for the rebuild's
 * emptied table, while the rebuild waits for that row to write its own progress: a deadlock.
 */
export const afterAnyRebuild = (name: string) => `pg_advisory_xact_lock_shared(hashtextextended('projection-rebuild:' || ${name}::text, 0))`;
const AFTER_ANY_REBUILD = afterAnyRebuild('$1');

/** Applies one event to one projection inside the caller's transaction; false when already applied. */
export async function applyOnce(manager: EntityManager, projection: Projection, event: IntegrationEvent): Promise<boolean> {
  const claimed = (await manager.query(
    `INSERT INTO ${projection.schema}.projection_progress (projection, aggregate_id, version)
     SELECT $1, $2, $3 FROM (SELECT ${AFTER_ANY_REBUILD}) AS rebuild_done
     ON CONFLICT (projection, aggregate_id) DO UPDATE SET version = excluded.version
       WHERE ${projection.schema}.projection_progress.version < excluded.version
     RETURNING version`,
    [projection.name, event.aggregateId, event.aggregateVersion],
  )) as unknown[];
  if (claimed.length === 0) return false;
  await projection.apply(manager, event);
  return true;
}

/**
 * Applies a batch of events, each at most once and in order, inside the caller's transaction, in
 * two or three statements whatever the batch: the progress of every aggregate is claimed and locked
 * in one (an aggregate seen for the first time gets its progress row straight at the batch's last
 * version), the projection applies what is new together where it can (`applyMany`), and the
 * progress of aggregates already known moves in one more. Returns what it applied.
 * `rebuildWaitedFor`: the caller's transaction already waited for any rebuild of the projection (an
 * inline projection's writer, before writing).
 */
export async function applyAllOnce(manager: EntityManager, projection: Projection, events: readonly IntegrationEvent[], rebuildWaitedFor = false): Promise<IntegrationEvent[]> {
  const lastVersions = new Map<string, number>();
  for (const event of events) lastVersions.set(event.aggregateId, Math.max(lastVersions.get(event.aggregateId) ?? 0, event.aggregateVersion));
  // Sorted, so concurrent batches lock shared progress rows in one order and cannot deadlock.
  const aggregateIds = [...lastVersions.keys()].sort();
  const progress = `${projection.schema}.projection_progress`;
  if (!rebuildWaitedFor) await manager.query(`SELECT ${AFTER_ANY_REBUILD}`, [projection.name]);
  const rows = (await manager.query(
    `WITH known AS (
       SELECT aggregate_id, version FROM ${progress} WHERE projection = $1 AND aggregate_id = ANY($2::text[]) ORDER BY aggregate_id FOR UPDATE
     ), first_seen AS (
       INSERT INTO ${progress} (projection, aggregate_id, version)
       SELECT $1, aggregate_id, version FROM unnest($2::text[], $3::int[]) AS a(aggregate_id, version)
       ON CONFLICT DO NOTHING RETURNING aggregate_id
     )
     SELECT aggregate_id, version, false AS first_seen FROM known
     UNION ALL SELECT aggregate_id, 0, true FROM first_seen`,
    [projection.name, aggregateIds, aggregateIds.map((aggregateId) => lastVersions.get(aggregateId)!)],
  )) as { aggregate_id: string; version: number; first_seen: boolean }[];
  const reached = new Map(rows.map((row) => [row.aggregate_id, row.version]));
  const firstSeen = new Set(rows.filter((row) => row.first_seen).map((row) => row.aggregate_id));
  // A progress row another transaction inserted after this statement's snapshot: lock and read it now.
  const missed = aggregateIds.filter((aggregateId) => !reached.has(aggregateId));
  if (missed.length > 0) {
    const late = (await manager.query(
      `SELECT aggregate_id, version FROM ${progress} WHERE projection = $1 AND aggregate_id = ANY($2::text[]) ORDER BY aggregate_id FOR UPDATE`,
      [projection.name, missed],
    )) as { aggregate_id: string; version: number }[];
    for (const row of late) reached.set(row.aggregate_id, row.version);
  }
  const pending: IntegrationEvent[] = [];
  for (const event of events) {
    if (event.aggregateVersion <= (reached.get(event.aggregateId) ?? 0)) continue;
    pending.push(event);
    reached.set(event.aggregateId, event.aggregateVersion);
  }
  if (pending.length === 0) return [];
  if (projection.applyMany) await projection.applyMany(manager, pending);
  else for (const event of pending) await projection.apply(manager, event);
  const moved = [...new Set(pending.map((event) => event.aggregateId))].filter((aggregateId) => !firstSeen.has(aggregateId));
  if (moved.length > 0) {
    await manager.query(
      `UPDATE ${progress} p SET version = m.version
         FROM unnest($2::text[], $3::int[]) AS m(aggregate_id, version)
        WHERE p.projection = $1 AND p.aggregate_id = m.aggregate_id`,
      [projection.name, moved, moved.map((aggregateId) => reached.get(aggregateId)!)],
    );
  }
  return pending;
}

export interface ProjectionRunnerOptions {
  log?: (level: 'info' | 'warn' | 'error', message: string, extra?: Record<string, unknown>) => void;
  /** Called after each applied event, for lag metrics. */
  onApplied?: (projection: Projection, event: IntegrationEvent) => void;
  /** Runs each message's handling inside a context (the correlation id its headers carry, for the logs). */
  around?: <T>(headers: Record<string, string>, work: () => Promise<T>) => Promise<T>;
}

/** Keeps projections up to date from the bus. */
export class ProjectionRunner {
  private readonly subscriptions: Subscription[] = [];

  constructor(
    private readonly dataSource: DataSource,
    private readonly bus: MessageBus,
    private readonly options: ProjectionRunnerOptions = {},
  ) {}

  async start(projections: readonly Projection[]): Promise<void> {
    for (const projection of projections) {
      if (projection.topics.length === 0) continue;
      const subscription = await this.bus.subscribe({
        groupId: `projection.${projection.name}`,
        topics: projection.topics,
        handle: (message) => (this.options.around ?? ((_headers, work) => work()))(message.headers, async () => {
          const event = JSON.parse(message.value) as IntegrationEvent;
          // Most redeliveries, and the bus copies of events a writer already applied inline, stop at a
          // plain read: no transaction, no row lock, no commit to wait for.
          if ((await this.notYetApplied(projection, [event])).length === 0) return;
          const applied = await this.dataSource.transaction((manager) => applyOnce(manager, projection, event));
          if (applied) this.options.onApplied?.(projection, event);
        }),
        // Under load, many events in one transaction: one commit instead of one per event.
        handleBatch: (messages) =>
          (this.options.around ?? ((_headers, work) => work()))(messages[0].headers, async () => {
            const events = messages.map((message) => JSON.parse(message.value) as IntegrationEvent);
            const pending = await this.notYetApplied(projection, events);
            if (pending.length === 0) return;
            const applied = await this.dataSource.transaction((manager) => applyAllOnce(manager, projection, pending));
            for (const event of applied) this.options.onApplied?.(projection, event);
          }),
      });
      this.subscriptions.push(subscription);
    }
  }

  /** The events whose aggregate version the projection has not reached, by one read. */
  private async notYetApplied(projection: Projection, events: readonly IntegrationEvent[]): Promise<IntegrationEvent[]> {
    const rows = (await this.dataSource.query(
      `SELECT aggregate_id, version FROM ${projection.schema}.projection_progress WHERE projection = $1 AND aggregate_id = ANY($2::text[])`,
      [projection.name, [...new Set(events.map((event) => event.aggregateId))]],
    )) as { aggregate_id: string; version: number }[];
    const reached = new Map(rows.map((row) => [row.aggregate_id, row.version]));
    return events.filter((event) => (reached.get(event.aggregateId) ?? 0) < event.aggregateVersion);
  }

  async stop(): Promise<void> {
    await Promise.all(this.subscriptions.splice(0).map((subscription) => subscription.stop()));
  }
}
