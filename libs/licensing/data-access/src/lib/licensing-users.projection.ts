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
          `INSERT INTO licensing.users (user_id, tenant_id, user_name, status, updated_at) VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (user_id) DO NOTHING`,
          [data.userId, event.tenantId, data.userName, data.active ? 'active' : 'deactivated', at],
        );
        return;
      }
      case 'UserAttributesChanged': {
        const userName = (event.data as { changes: { userName?: string } }).changes.userName;
        if (userName !== undefined) await setColumns(manager, event, { user_name: userName });
        return;
      }
      case 'SiteAssigned':
        return setColumns(manager, event, { site_id: (event.data as SiteAssignedData).siteId });
      case 'UserDeactivated':
        return setColumns(manager, event, { status: 'deactivated' });
      case 'UserReactivated':
        return setColumns(manager, event, { status: 'active' });
      case 'UserDeleted':
        return setColumns(manager, event, { status: 'deleted' });
    }
  },
  async reset(manager: EntityManager): Promise<void> {
    await manager.query(`TRUNCATE licensing.users`);
  },
};

async function setColumns(manager: EntityManager, event: IntegrationEvent, columns: Partial<Record<'user_name' | 'status' | 'site_id', string>>) {
  const entries = Object.entries(columns);
  const assignments = entries.map(([column], index) => `${column} = $${index + 3}`).join(', ');
  await manager.query(`UPDATE licensing.users SET ${assignments}, updated_at = $2 WHERE user_id = $1`, [
    event.aggregateId,
    event.occurredAt,
    ...entries.map(([, value]) => value),
  ]);
}
