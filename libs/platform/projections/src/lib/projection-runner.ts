import type { DataSource, EntityManager } from 'typeorm';
import type { IntegrationEvent } from '@identity/contracts';
import type { MessageBus, Subscription } from '@identity/platform-messaging';
import type { Projection } from './projection';

/** Applies one event to one projection inside the caller's transaction; false when already applied. */
export async function applyOnce(manager: EntityManager, projection: Projection, event: IntegrationEvent): Promise<boolean> {
  const claimed = (await manager.query(
    `INSERT INTO ${projection.schema}.projection_progress (projection, aggregate_id, version) VALUES ($1, $2, $3)
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
 * Applies a batch of events, each at most once and in order, inside the caller's transaction: the
 * progress of all their aggregates is locked, checked and moved in three statements, and the
 * projection applies the new ones together where it can (`applyMany`). Returns what it applied.
 */
export async function applyAllOnce(manager: EntityManager, projection: Projection, events: readonly IntegrationEvent[]): Promise<IntegrationEvent[]> {
  // Sorted, so concurrent batches lock shared progress rows in one order and cannot deadlock.
  const aggregateIds = [...new Set(events.map((event) => event.aggregateId))].sort();
  await manager.query(
    `INSERT INTO ${projection.schema}.projection_progress (projection, aggregate_id, version)
     SELECT $1, aggregate_id, 0 FROM unnest($2::text[]) AS a(aggregate_id) ON CONFLICT DO NOTHING`,
    [projection.name, aggregateIds],
  );
  const rows = (await manager.query(
    `SELECT aggregate_id, version FROM ${projection.schema}.projection_progress
      WHERE projection = $1 AND aggregate_id = ANY($2::text[]) ORDER BY aggregate_id FOR UPDATE`,
    [projection.name, aggregateIds],
  )) as { aggregate_id: string; version: number }[];
  const reached = new Map(rows.map((row) => [row.aggregate_id, row.version]));
  const pending: IntegrationEvent[] = [];
  for (const event of events) {
    if (event.aggregateVersion <= (reached.get(event.aggregateId) ?? 0)) continue;
    pending.push(event);
    reached.set(event.aggregateId, event.aggregateVersion);
  }
  if (pending.length === 0) return [];
  if (projection.applyMany) await projection.applyMany(manager, pending);
  else for (const event of pending) await projection.apply(manager, event);
  const moved = [...new Set(pending.map((event) => event.aggregateId))];
  await manager.query(
    `UPDATE ${projection.schema}.projection_progress p SET version = m.version
       FROM unnest($2::text[], $3::int[]) AS m(aggregate_id, version)
      WHERE p.projection = $1 AND p.aggregate_id = m.aggregate_id`,
    [projection.name, moved, moved.map((aggregateId) => reached.get(aggregateId)!)],
  );
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
