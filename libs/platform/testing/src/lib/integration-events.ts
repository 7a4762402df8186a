import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import type { IntegrationEvent } from '@identity/contracts';

/** The part of a projection (platform-projections) these helpers drive. */
interface BatchedProjection {
  apply(manager: EntityManager, event: IntegrationEvent): Promise<void>;
  applyMany?(manager: EntityManager, events: readonly IntegrationEvent[]): Promise<void>;
  reset(manager: EntityManager): Promise<void>;
}

/**
 * Published events of one tenant for projection tests: each aggregate's versions count up from 1,
 * one second apart, in the order the test makes them.
 */
export function integrationEventsOf(tenantId: string): (aggregateId: string, eventType: string, data?: Record<string, unknown>) => IntegrationEvent {
  const versions = new Map<string, number>();
  return (aggregateId, eventType, data = {}) => {
    const version = (versions.get(aggregateId) ?? 0) + 1;
    versions.set(aggregateId, version);
    return {
      eventId: randomUUID(),
      eventType,
      schemaVersion: 1,
      tenantId,
      aggregateId,
      aggregateVersion: version,
      occurredAt: new Date(Date.UTC(2026, 10, 30, 12, 0, version)).toISOString(),
      causationId: 'test',
      correlationId: 'test',
      data: { userId: aggregateId, ...data },
    };
  };
}

/**
 * What a projection's batch path must equal: the read model after `before` then `batch` applied
 * one event at a time, and after a reset, `before` one at a time and `batch` through `applyMany`.
 */
export async function applyOneByOneAndInBatch<Row>(
  dataSource: DataSource,
  projection: BatchedProjection,
  events: { before: readonly IntegrationEvent[]; batch: readonly IntegrationEvent[] },
  rows: () => Promise<Row[]>,
): Promise<{ oneByOne: Row[]; batched: Row[] }> {
  await dataSource.transaction(async (manager) => {
    for (const event of [...events.before, ...events.batch]) await projection.apply(manager, event);
  });
  const oneByOne = await rows();
  await dataSource.transaction(async (manager) => {
    await projection.reset(manager);
    for (const event of events.before) await projection.apply(manager, event);
    await projection.applyMany!(manager, events.batch);
  });
  return { oneByOne, batched: await rows() };
}
