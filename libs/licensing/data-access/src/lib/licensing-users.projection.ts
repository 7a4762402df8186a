import type { EntityManager } from 'typeorm';
import { TOPICS, type IntegrationEvent, type SiteAssignedData, type UserProvisionedData } from '@identity/contracts';
import type { Projection } from '@identity/platform-projections';

/** Users as licensing needs them: tenant, status and site. */
export const licensingUsersProjection: Projection = {
  name: 'licensing.users',
  schema: 'licensing',
  topics: [TOPICS.identityUser.name],
  async apply(manager: EntityManager, event: IntegrationEvent): Promise<void> {
    const at = event.occurredAt;
    switch (event.eventType) {
      case 'UserProvisioned': {
        const data = event.data as UserProvisionedData;
        await manager.query(
          `INSERT INTO licensing.users (user_id, tenant_id, user_name, status, department, title, updated_at, version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
           ON CONFLICT (user_id) DO NOTHING`,
          [data.userId, event.tenantId, data.userName, data.active ? 'active' : 'deactivated', data.profile.department, data.profile.title, at, event.aggregateVersion],
        );
        return;
      }
      case 'UserAttributesChanged': {
        const changes = (event.data as { changes: { userName?: string; department?: string | null; title?: string | null } }).changes;
        const columns: Partial<Record<Column, string | null>> = {};
        if (changes.userName !== undefined) columns.user_name = changes.userName;
        if (changes.department !== undefined) columns.department = changes.department;
        if (changes.title !== undefined) columns.title = changes.title;
        return setColumns(manager, event, columns);
      }
      case 'SiteAssigned': {
        const data = event.data as SiteAssignedData;
        return setColumns(manager, event, { site_id: data.siteId, site_name: data.siteName });
      }
      case 'UserDeactivated':
        return setColumns(manager, event, { status: 'deactivated' });
      case 'UserReactivated':
        return setColumns(manager, event, { status: 'active' });
      case 'UserDeleted':
        return setColumns(manager, event, { status: 'deleted' });
      default:
        return setColumns(manager, event, {});
    }
  },
  async reset(manager: EntityManager): Promise<void> {
    await manager.query(`TRUNCATE licensing.users`);
  },
};

type Column = 'user_name' | 'status' | 'site_id' | 'site_name' | 'department' | 'title';

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
