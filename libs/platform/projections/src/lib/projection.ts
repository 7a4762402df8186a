import type { EntityManager } from 'typeorm';
import type { IntegrationEvent } from '@identity/contracts';

/**
 * A read model written as an evolve function over integration events. The runner records, in the
 * same transaction, the last version applied per aggregate, so a redelivered event changes nothing.
 */
export interface Projection {
  /** Unique name; also the consumer group (`projection.<name>`) and the rebuild command's argument. */
  name: string;
  /** The database schema holding the read model and its `projection_progress` table. */
  schema: string;
  topics: readonly string[];
  /**
   * Stream types whose stored events this projection reads directly, unpublished (a service's
   * private aggregates, such as its settings). They reach it inline and in rebuilds, never by bus.
   */
  privateStreams?: readonly string[];
  apply(manager: EntityManager, event: IntegrationEvent): Promise<void>;
  /**
   * Applies events in order with the same result as `apply` one by one, in fewer statements (a
   * rebuild replays a whole store). Optional: without it, events are applied one by one.
   */
  applyMany?(manager: EntityManager, events: readonly IntegrationEvent[]): Promise<void>;
  /**
   * Replays stored events into the emptied model (a rebuild). The store orders events by the
   * transaction that wrote them, which across streams is not always the order they committed in (a
   * seat one user freed and another took at once), so a model that checks an invariant across
   * streams skips it here: what it replays was accepted when it happened. Optional: without it, a
   * rebuild uses `applyMany`, else `apply`.
   */
  replay?(manager: EntityManager, events: readonly IntegrationEvent[]): Promise<void>;
  /** After the last event of a replay, in its transaction: what a replay leaves to the end (counts). */
  finishReplay?(manager: EntityManager): Promise<void>;
  /** Empties the read model before a rebuild. */
  reset(manager: EntityManager): Promise<void>;
}

/** DDL for the progress table a read-model schema needs; used by that schema's migration. */
export function projectionProgressTableSql(schema: string): string {
  return `CREATE TABLE ${schema}.projection_progress (
    projection text NOT NULL,
    aggregate_id text NOT NULL,
    version integer NOT NULL,
    PRIMARY KEY (projection, aggregate_id)
  )`;
}
