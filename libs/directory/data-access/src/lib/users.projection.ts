import type { EntityManager } from 'typeorm';
import {
  changedUserColumns,
  provisionedUserColumns,
  TOPICS,
  type DirectoryVisibilityChangedData,
  type IntegrationEvent,
  type SiteAssignedData,
  type UserAttributesChangedData,
  type UserLinkedToIdpData,
  type UserProvisionedData,
} from '@identity/contracts';
import type { Projection } from '@identity/platform-projections';

/** Users as admins and the company directory see them (inline for admin writes, from the bus for the IdP's). */
export const directoryUsersProjection: Projection = {
  name: 'directory.users',
  schema: 'directory',
  topics: [TOPICS.identityUser.name],
  async apply(manager: EntityManager, event: IntegrationEvent): Promise<void> {
    const change = changeOf(event);
    if (change === 'insert') return insertProvisioned(manager, [event]);
    if (change === 'delete') {
      await manager.query(`DELETE FROM directory.users WHERE user_id = $1`, [event.aggregateId]);
      return;
    }
    return update(manager, event, change);
  },
  /**
   * A rebuild replays a whole store: a user created in the page is inserted once, with the page's
   * later changes to it folded in; runs of the same kind of change to other users are one UPDATE
   * each. Every user's events keep their order.
   */
  async applyMany(manager: EntityManager, events: readonly IntegrationEvent[]): Promise<void> {
    const creating = new Map<string, Record<string, unknown>>();
    const others: { event: IntegrationEvent; change: 'delete' | Record<string, unknown> }[] = [];
    for (const event of events) {
      const change = changeOf(event);
      const created = creating.get(event.aggregateId);
      if (change === 'insert') creating.set(event.aggregateId, provisionedRow(event));
      else if (created && change === 'delete') creating.delete(event.aggregateId);
      else if (created) Object.assign(created, change, { updated_at: event.occurredAt, version: event.aggregateVersion });
      else others.push({ event, change });
    }
    if (creating.size > 0) await insertRows(manager, [...creating.values()]);
    let batch: { event: IntegrationEvent; columns: Record<string, unknown> }[] = [];
    let batchShape = '';
    const batchUsers = new Set<string>();
    const flush = async () => {
      if (batch.length > 0) await updateMany(manager, batch);
      batch = [];
      batchUsers.clear();
    };
    for (const { event, change } of others) {
      if (change === 'delete') {
        await flush();
        await directoryUsersProjection.apply(manager, event);
        continue;
      }
      const shape = Object.keys(change).join();
      if (shape !== batchShape || batchUsers.has(event.aggregateId)) await flush();
      batchShape = shape;
      batchUsers.add(event.aggregateId);
      batch.push({ event, columns: change });
    }
    await flush();
  },
  async reset(manager: EntityManager): Promise<void> {
    await manager.query(`TRUNCATE directory.users`);
  },
};

/** What an event does to its user's row: create it, delete it, or set these columns. */
function changeOf(event: IntegrationEvent): 'insert' | 'delete' | Record<string, unknown> {
  switch (event.eventType) {
    case 'UserProvisioned':
      return 'insert';
    case 'UserAttributesChanged':
      return changedUserColumns(event.data as UserAttributesChangedData);
    case 'UserLinkedToIdp':
      return { owner: 'idp', idp: (event.data as UserLinkedToIdpData).idp };
    case 'SiteAssigned':
      return { site_id: (event.data as SiteAssignedData).siteId };
    case 'UserDeactivated':
      return { status: 'deactivated' };
    case 'UserReactivated':
      return { status: 'active' };
    case 'DirectoryVisibilityChanged':
      return { visible: (event.data as DirectoryVisibilityChangedData).visible };
    case 'UserDeleted':
      return 'delete';
    default:
      return {};
  }
}

const COLUMN_TYPES: Record<string, string> = { site_id: 'uuid', visible: 'boolean' };

/** One UPDATE for changes of the same columns to different users. */
async function updateMany(manager: EntityManager, batch: readonly { event: IntegrationEvent; columns: Record<string, unknown> }[]): Promise<void> {
  const names = Object.keys(batch[0].columns);
  const rows = batch.map(({ event, columns }) => ({ ...columns, user_id: event.aggregateId, updated_at: event.occurredAt, version: event.aggregateVersion }));
  await manager.query(
    `UPDATE directory.users u SET ${[...names.map((name) => `${name} = r.${name}`), 'updated_at = r.updated_at', 'version = r.version'].join(', ')}
       FROM jsonb_to_recordset($1::jsonb) AS r(${[...names.map((name) => `${name} ${COLUMN_TYPES[name] ?? 'text'}`), 'user_id uuid', 'updated_at timestamptz', 'version int'].join(', ')})
      WHERE u.user_id = r.user_id`,
    [JSON.stringify(rows)],
  );
}

async function update(manager: EntityManager, event: IntegrationEvent, columns: Record<string, unknown>): Promise<void> {
  const entries = Object.entries(columns);
  await manager.query(
    `UPDATE directory.users SET ${[...entries.map(([column], index) => `${column} = $${index + 4}`), 'updated_at = $2', 'version = $3'].join(', ')}
      WHERE user_id = $1`,
    [event.aggregateId, event.occurredAt, event.aggregateVersion, ...entries.map(([, value]) => value)],
  );
}

async function insertProvisioned(manager: EntityManager, events: readonly IntegrationEvent[]): Promise<void> {
  await insertRows(manager, events.map(provisionedRow));
}

function provisionedRow(event: IntegrationEvent): Record<string, unknown> {
  const data = event.data as UserProvisionedData;
  return {
    ...provisionedUserColumns(data),
    tenant_id: event.tenantId,
    status: data.active ? 'active' : 'deactivated',
    created_at: event.occurredAt,
    version: event.aggregateVersion,
  };
}

/** New users' rows; a rebuild may have folded later changes (site, visibility, ...) into them. */
async function insertRows(manager: EntityManager, rows: readonly Record<string, unknown>[]): Promise<void> {
  await manager.query(
    `INSERT INTO directory.users (user_id, tenant_id, user_name, external_id, status, owner, idp, given_name, family_name, email, title,
                                  department, mobile_phone, work_phone, locale, timezone, site_id, visible, created_at, updated_at, version)
     SELECT user_id, tenant_id, user_name, external_id, status, owner, idp, given_name, family_name, email, title,
            department, mobile_phone, work_phone, locale, timezone, site_id, coalesce(visible, false), created_at, coalesce(updated_at, created_at), version
       FROM jsonb_to_recordset($1::jsonb) AS r(user_id uuid, tenant_id uuid, user_name text, external_id text, status text, owner text, idp text,
            given_name text, family_name text, email text, title text, department text, mobile_phone text, work_phone text, locale text,
            timezone text, site_id uuid, visible boolean, created_at timestamptz, updated_at timestamptz, version int)
     ON CONFLICT (user_id) DO NOTHING`,
    [JSON.stringify(rows)],
  );
}
