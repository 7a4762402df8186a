import type { EntityManager } from 'typeorm';
import {
  TOPICS,
  type DirectoryVisibilityChangedData,
  type IntegrationEvent,
  type SiteAssignedData,
  type UserAttributesChangedData,
  type UserLinkedToIdpData,
  type UserProvisionedData,
} from '@identity/contracts';
import type { Projection } from '@identity/platform-projections';

const COLUMNS = {
  userName: 'user_name',
  externalId: 'external_id',
  givenName: 'given_name',
  familyName: 'family_name',
  email: 'email',
  title: 'title',
  department: 'department',
  mobilePhone: 'mobile_phone',
  workPhone: 'work_phone',
  locale: 'locale',
  timezone: 'timezone',
} as const;

/** Users as admins and the company directory see them (inline for admin writes, from the bus for the IdP's). */
export const directoryUsersProjection: Projection = {
  name: 'directory.users',
  schema: 'directory',
  topics: [TOPICS.identityUser.name],
  async apply(manager: EntityManager, event: IntegrationEvent): Promise<void> {
    const set = (columns: Record<string, unknown>) => update(manager, event, columns);
    switch (event.eventType) {
      case 'UserProvisioned': {
        const data = event.data as UserProvisionedData;
        const p = data.profile;
        await manager.query(
          `INSERT INTO directory.users (user_id, tenant_id, user_name, external_id, status, owner, idp, given_name, family_name, email, title,
                                        department, mobile_phone, work_phone, locale, timezone, created_at, updated_at, version)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $17, $18)
           ON CONFLICT (user_id) DO NOTHING`,
          [
            data.userId,
            event.tenantId,
            data.userName,
            data.externalId,
            data.active ? 'active' : 'deactivated',
            data.owner,
            data.idp,
            p.givenName,
            p.familyName,
            p.email,
            p.title,
            p.department,
            p.mobilePhone,
            p.workPhone,
            p.locale,
            p.timezone,
            event.occurredAt,
            event.aggregateVersion,
          ],
        );
        return;
      }
      case 'UserAttributesChanged': {
        const columns: Record<string, unknown> = {};
        for (const [field, value] of Object.entries((event.data as UserAttributesChangedData).changes)) {
          const column = COLUMNS[field as keyof typeof COLUMNS];
          if (column) columns[column] = value;
        }
        return set(columns);
      }
      case 'UserLinkedToIdp':
        return set({ owner: 'idp', idp: (event.data as UserLinkedToIdpData).idp });
      case 'SiteAssigned':
        return set({ site_id: (event.data as SiteAssignedData).siteId });
      case 'UserDeactivated':
        return set({ status: 'deactivated' });
      case 'UserReactivated':
        return set({ status: 'active' });
      case 'DirectoryVisibilityChanged':
        return set({ visible: (event.data as DirectoryVisibilityChangedData).visible });
      case 'UserDeleted':
        await manager.query(`DELETE FROM directory.users WHERE user_id = $1`, [event.aggregateId]);
        return;
      default:
        return set({});
    }
  },
  async reset(manager: EntityManager): Promise<void> {
    await manager.query(`TRUNCATE directory.users`);
  },
};

async function update(manager: EntityManager, event: IntegrationEvent, columns: Record<string, unknown>): Promise<void> {
  const entries = Object.entries(columns);
  await manager.query(
    `UPDATE directory.users SET ${[...entries.map(([column], index) => `${column} = $${index + 4}`), 'updated_at = $2', 'version = $3'].join(', ')}
      WHERE user_id = $1`,
    [event.aggregateId, event.occurredAt, event.aggregateVersion, ...entries.map(([, value]) => value)],
  );
}
