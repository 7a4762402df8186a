import type { EntityManager } from 'typeorm';
import {
  TOPICS,
  type IntegrationEvent,
  type SiteAssignedData,
  type UserAttributesChangedData,
  type UserLinkedToIdpData,
  type UserDeactivatedData,
  type UserProvisionedData,
} from '@identity/contracts';
import type { Projection } from '@identity/platform-projections';

/** Profile fields of the events and their columns in scim.users. */
const PROFILE_COLUMNS = {
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

/** The SCIM view of every user (applied inline by scim-ingest, and from the bus for admin changes). */
export const scimUsersProjection: Projection = {
  name: 'scim.users',
  schema: 'scim',
  topics: [TOPICS.identityUser.name],
  async apply(manager: EntityManager, event: IntegrationEvent): Promise<void> {
    const touch = (columns: Record<string, unknown>) => update(manager, event, columns);
    switch (event.eventType) {
      case 'UserProvisioned': {
        const data = event.data as UserProvisionedData;
        const profile = data.profile;
        await manager.query(
          `INSERT INTO scim.users (user_id, tenant_id, user_name, external_id, active, owner, idp, given_name, family_name, email, title,
                                   department, mobile_phone, work_phone, locale, timezone, created_at, last_modified, version)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $17, $18)
           ON CONFLICT (user_id) DO NOTHING`,
          [
            data.userId,
            event.tenantId,
            data.userName,
            data.externalId,
            data.active,
            data.owner,
            data.idp,
            profile.givenName,
            profile.familyName,
            profile.email,
            profile.title,
            profile.department,
            profile.mobilePhone,
            profile.workPhone,
            profile.locale,
            profile.timezone,
            event.occurredAt,
            event.aggregateVersion,
          ],
        );
        return;
      }
      case 'UserAttributesChanged': {
        const columns: Record<string, unknown> = {};
        for (const [field, value] of Object.entries((event.data as UserAttributesChangedData).changes)) {
          const column = PROFILE_COLUMNS[field as keyof typeof PROFILE_COLUMNS];
          if (column) columns[column] = value;
        }
        return touch(columns);
      }
      case 'UserLinkedToIdp': {
        const data = event.data as UserLinkedToIdpData;
        return touch({ owner: 'idp', idp: data.idp });
      }
      case 'SiteAssigned': {
        const data = event.data as SiteAssignedData;
        return touch({ site_id: data.siteId, site_name: data.siteName });
      }
      case 'UserDeactivated':
        return touch({ active: false, idp_deleted: (event.data as UserDeactivatedData).reason === 'idp-deleted' });
      case 'UserReactivated':
        return touch({ active: true, idp_deleted: false });
      case 'UserDeleted':
        return touch({ deleted: true });
      default:
        return touch({});
    }
  },
  async reset(manager: EntityManager): Promise<void> {
    await manager.query(`TRUNCATE scim.users`);
  },
};

/** Sets columns plus the version and lastModified that every change moves (the SCIM ETag). */
async function update(manager: EntityManager, event: IntegrationEvent, columns: Record<string, unknown>): Promise<void> {
  const entries = Object.entries(columns);
  const assignments = entries.map(([column], index) => `${column} = $${index + 4}`);
  await manager.query(
    `UPDATE scim.users SET ${[...assignments, 'last_modified = $2', 'version = $3'].join(', ')} WHERE user_id = $1`,
    [event.aggregateId, event.occurredAt, event.aggregateVersion, ...entries.map(([, value]) => value)],
  );
}
