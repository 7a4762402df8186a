import type { EntityManager } from 'typeorm';
import { TOPICS, type IntegrationEvent, type SiteAssignedData, type UserProvisionedData } from '@identity/contracts';
import type { Projection } from '@identity/platform-projections';

/** Users as licensing needs them: tenant, status and site. */
export const licensingUsersProjection: Projection = {
  name: 'licensing.users',
  schema: 'licensing',
  topics: [TOPICS.identityUser.name],
  async apply(manager: EntityManager, event: IntegrationEvent): Promise<void> {
    const change = changeOf(event);
    if (change === 'insert') return insertRows(manager, [provisionedRow(event)]);
    return setColumns(manager, event, change);
  },
  /**
   * A batch (a consumer catching up, a rebuild): a user created in it is inserted once with its
   * later changes folded in; another user's changes become one update of their last values, and
   * users whose updates set the same columns share one statement.
   */
  async applyMany(manager: EntityManager, events: readonly IntegrationEvent[]): Promise<void> {
    const creating = new Map<string, Record<string, unknown>>();
    const updating = new Map<string, Record<string, unknown>>();
    for (const event of events) {
      const change = changeOf(event);
      if (change === 'insert') {
        creating.set(event.aggregateId, provisionedRow(event));
        continue;
      }
      const stamped = { ...change, updated_at: event.occurredAt, version: event.aggregateVersion };
      const created = creating.get(event.aggregateId);
      if (created) Object.assign(created, stamped);
      else updating.set(event.aggregateId, { ...updating.get(event.aggregateId), ...stamped });
    }
    if (creating.size > 0) await insertRows(manager, [...creating.values()]);
    // Rows locked in user id order first, as a license transaction locks them (deletedUsersUntilCommit): updates in event order could deadlock with it.
    if (updating.size > 0) {
      await manager.query(`SELECT 1 FROM licensing.users WHERE user_id = ANY($1::uuid[]) ORDER BY user_id FOR NO KEY UPDATE`, [[...updating.keys()]]);
    }
    const byShape = new Map<string, { user_id: string }[]>();
    for (const [userId, columns] of updating) {
      const shape = Object.keys(columns).sort().join();
      byShape.set(shape, [...(byShape.get(shape) ?? []), { ...columns, user_id: userId }]);
    }
    for (const [shape, rows] of byShape) {
      const names = shape.split(',').filter((name) => name !== 'updated_at' && name !== 'version');
      await manager.query(
        `UPDATE licensing.users u SET ${[...names.map((name) => `${name} = r.${name}`), 'updated_at = r.updated_at', 'version = r.version'].join(', ')}
           FROM jsonb_to_recordset($1::jsonb) AS r(${[...names.map((name) => `${name} ${name === 'site_id' ? 'uuid' : 'text'}`), 'user_id uuid', 'updated_at timestamptz', 'version int'].join(', ')})
          WHERE u.user_id = r.user_id`,
        [JSON.stringify(rows)],
      );
    }
  },
  async reset(manager: EntityManager): Promise<void> {
    await manager.query(`TRUNCATE licensing.users`);
  },
};

type Column = 'user_name' | 'status' | 'site_id' | 'site_name' | 'department' | 'title';

/** What an event does to its user's row: create it, or set these columns (and always its version). */
function changeOf(event: IntegrationEvent): 'insert' | Partial<Record<Column, string | null>> {
  switch (event.eventType) {
    case 'UserProvisioned':
      return 'insert';
    case 'UserAttributesChanged': {
      const changes = (event.data as { changes: { userName?: string; department?: string | null; title?: string | null } }).changes;
      const columns: Partial<Record<Column, string | null>> = {};
      if (changes.userName !== undefined) columns.user_name = changes.userName;
      if (changes.department !== undefined) columns.department = changes.department;
      if (changes.title !== undefined) columns.title = changes.title;
      return columns;
    }
    case 'SiteAssigned': {
      const data = event.data as SiteAssignedData;
      return { site_id: data.siteId, site_name: data.siteName };
    }
    case 'UserDeactivated':
      return { status: 'deactivated' };
    case 'UserReactivated':
      return { status: 'active' };
    case 'UserDeleted':
      return { status: 'deleted' };
    default:
      return {};
  }
}

function provisionedRow(event: IntegrationEvent): Record<string, unknown> {
  const data = event.data as UserProvisionedData;
  return {
    user_id: data.userId,
    tenant_id: event.tenantId,
    user_name: data.userName,
    status: data.active ? 'active' : 'deactivated',
    department: data.profile.department,
    title: data.profile.title,
    updated_at: event.occurredAt,
    version: event.aggregateVersion,
  };
}

/** New users' rows; a batch may have folded later changes (site, status, ...) into them. */
async function insertRows(manager: EntityManager, rows: readonly Record<string, unknown>[]): Promise<void> {
  await manager.query(
    `INSERT INTO licensing.users (user_id, tenant_id, user_name, status, department, title, site_id, site_name, updated_at, version)
     SELECT user_id, tenant_id, user_name, status, department, title, site_id, site_name, updated_at, version
       FROM jsonb_to_recordset($1::jsonb) AS r(user_id uuid, tenant_id uuid, user_name text, status text, department text, title text,
            site_id uuid, site_name text, updated_at timestamptz, version int)
     ON CONFLICT (user_id) DO NOTHING`,
    [JSON.stringify(rows)],
  );
}

/** Sets columns and the version (the auto-assignment reaction waits for the version it reacts to). */
async function setColumns(manager: EntityManager, event: IntegrationEvent, columns: Partial<Record<Column, string | null>>) {
  const entries = Object.entries(columns);
  const assignments = [...entries.map(([column], index) => `${column} = $${index + 4}`), 'updated_at = $2', 'version = $3'].join(', ');
  await manager.query(`UPDATE licensing.users SET ${assignments} WHERE user_id = $1`, [
    event.aggregateId,
    event.occurredAt,
    event.aggregateVersion,
    ...entries.map(([, value]) => value),
  ]);
}

/**
 * Inside a transaction that gives users a license: those of them the users read model has as
 * deleted, keeping every one's row until the transaction ends. A deletion being applied meanwhile
 * is waited for and seen; one applied after waits for this transaction, and the seat reaction
 * waits for that (`freeSeatOfDeletedUser`), so a license given just before is taken back.
 */
export async function deletedUsersUntilCommit(manager: EntityManager, tenantId: string, userIds: readonly string[]): Promise<string[]> {
  const rows = (await manager.query(
    `SELECT user_id, status FROM licensing.users WHERE tenant_id = $1 AND user_id = ANY($2::uuid[]) ORDER BY user_id FOR SHARE`,
    [tenantId, userIds],
  )) as { user_id: string; status: string }[];
  return rows.filter((row) => row.status === 'deleted').map((row) => row.user_id);
}
