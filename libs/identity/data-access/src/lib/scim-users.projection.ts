import type { EntityManager } from 'typeorm';
import {
  changedUserColumns,
  provisionedUserColumns,
  TOPICS,
  type IntegrationEvent,
  type SiteAssignedData,
  type UserAttributesChangedData,
  type UserLinkedToIdpData,
  type UserDeactivatedData,
  type UserProvisionedData,
} from '@identity/contracts';
import type { Projection } from '@identity/platform-projections';

/** The SCIM view of every user (applied inline by scim-ingest, and from the bus for admin changes). */
export const scimUsersProjection: Projection = {
  name: 'scim.users',
  schema: 'scim',
  topics: [TOPICS.identityUser.name],
  async apply(manager: EntityManager, event: IntegrationEvent): Promise<void> {
    const change = changeOf(event);
    if (change === 'insert') await insertRows(manager, [provisionedRow(event)]);
    else await update(manager, event, change);
  },
  /**
   * A batch (concurrent SCIM creates written together, a rebuild): the users it creates are one
   * INSERT with their later changes in the batch folded in; other changes are applied in order.
   */
  async applyMany(manager: EntityManager, events: readonly IntegrationEvent[]): Promise<void> {
    const creating = new Map<string, Record<string, unknown>>();
    const others: { event: IntegrationEvent; columns: Record<string, unknown> }[] = [];
    for (const event of events) {
      const change = changeOf(event);
      const created = creating.get(event.aggregateId);
      if (change === 'insert') creating.set(event.aggregateId, provisionedRow(event));
      else if (created) Object.assign(created, change, { last_modified: event.occurredAt, version: event.aggregateVersion });
      else others.push({ event, columns: change });
    }
    if (creating.size > 0) await insertRows(manager, [...creating.values()]);
    for (const { event, columns } of others) await update(manager, event, columns);
  },
  async reset(manager: EntityManager): Promise<void> {
    await manager.query(`TRUNCATE scim.users`);
  },
};

/** What an event does to its user's row: create it, or set these columns. */
function changeOf(event: IntegrationEvent): 'insert' | Record<string, unknown> {
  switch (event.eventType) {
    case 'UserProvisioned':
      return 'insert';
    case 'UserAttributesChanged':
      return changedUserColumns(event.data as UserAttributesChangedData);
    case 'UserLinkedToIdp':
      return { owner: 'idp', idp: (event.data as UserLinkedToIdpData).idp };
    case 'SiteAssigned': {
      const data = event.data as SiteAssignedData;
      return { site_id: data.siteId, site_name: data.siteName };
    }
    case 'UserDeactivated':
      return { active: false, idp_deleted: (event.data as UserDeactivatedData).reason === 'idp-deleted' };
    case 'UserReactivated':
      return { active: true, idp_deleted: false };
    case 'UserDeleted':
      return { deleted: true };
    default:
      return {};
  }
}

function provisionedRow(event: IntegrationEvent): Record<string, unknown> {
  const data = event.data as UserProvisionedData;
  return {
    ...provisionedUserColumns(data),
    tenant_id: event.tenantId,
    active: data.active,
    created_at: event.occurredAt,
    last_modified: event.occurredAt,
    version: event.aggregateVersion,
  };
}

/** Rows as provisionedRow builds them, possibly with later columns folded in. */
async function insertRows(manager: EntityManager, rows: readonly Record<string, unknown>[]): Promise<void> {
  await manager.query(
    `INSERT INTO scim.users (user_id, tenant_id, user_name, external_id, active, owner, idp, given_name, family_name, email, title,
                             department, mobile_phone, work_phone, locale, timezone, site_id, site_name, idp_deleted, deleted,
                             created_at, last_modified, version)
     SELECT user_id, tenant_id, user_name, external_id, active, owner, idp, given_name, family_name, email, title,
            department, mobile_phone, work_phone, locale, timezone, site_id, site_name, coalesce(idp_deleted, false), coalesce(deleted, false),
            created_at, last_modified, version
       FROM jsonb_to_recordset($1::jsonb) AS r(user_id uuid, tenant_id uuid, user_name text, external_id text, active boolean, owner text, idp text,
            given_name text, family_name text, email text, title text, department text, mobile_phone text, work_phone text, locale text,
            timezone text, site_id uuid, site_name text, idp_deleted boolean, deleted boolean, created_at timestamptz, last_modified timestamptz, version int)
     ON CONFLICT (user_id) DO NOTHING`,
    [JSON.stringify(rows)],
  );
}
/** Sets columns plus the version and lastModified that every change moves (the SCIM ETag). */
async function update(manager: EntityManager, event: IntegrationEvent, columns: Record<string, unknown>): Promise<void> {
  const entries = Object.entries(columns);
  const assignments = entries.map(([column], index) => `${column} = $${index + 4}`);
  await manager.query(
    `UPDATE scim.users SET ${[...assignments, 'last_modified = $2', 'version = $3'].join(', ')} WHERE user_id = $1`,
    [event.aggregateId, event.occurredAt, event.aggregateVersion, ...entries.map(([, value]) => value)],
  );
}
