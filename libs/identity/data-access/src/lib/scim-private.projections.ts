import type { EntityManager } from 'typeorm';
import { TOPICS, type IntegrationEvent, type SiteCreatedData, type SiteRenamedData } from '@identity/contracts';
import type { Projection } from '@identity/platform-projections';
import { tenantAccessProjection } from '@identity/platform-tenancy';
import type { GroupEvent, ScimSettingsEvent } from '@identity/identity-domain';

/** Companies and admin tokens, so tenant admins can manage their provisioning here. */
export const scimTenantAccessProjection = tenantAccessProjection('scim');

/** Site names (current and former) by tenant, so a SCIM site value finds its site locally. */
export const scimSitesProjection: Projection = {
  name: 'scim.sites',
  schema: 'scim',
  topics: [TOPICS.directorySite.name],
  async apply(manager: EntityManager, event: IntegrationEvent): Promise<void> {
    if (event.eventType === 'SiteCreated') {
      const data = event.data as SiteCreatedData;
      await manager.query(
        `INSERT INTO scim.site_names (tenant_id, name, site_id, current, named_at) VALUES ($1, $2, $3, true, $4) ON CONFLICT (tenant_id, name) DO NOTHING`,
        [event.tenantId, data.name, data.siteId, event.occurredAt],
      );
    } else if (event.eventType === 'SiteRenamed') {
      const data = event.data as SiteRenamedData;
      await manager.query(`UPDATE scim.site_names SET current = false WHERE site_id = $1`, [data.siteId]);
      await manager.query(
        `INSERT INTO scim.site_names (tenant_id, name, site_id, current, named_at) VALUES ($1, $2, $3, true, $4)
         ON CONFLICT (tenant_id, name) DO UPDATE SET current = true, site_id = excluded.site_id, named_at = excluded.named_at`,
        [event.tenantId, data.newName, data.siteId, event.occurredAt],
      );
    }
  },
  async reset(manager: EntityManager): Promise<void> {
    await manager.query(`TRUNCATE scim.site_names`);
  },
};

/** Provisioning settings and token hashes (private events of the scim-settings stream). */
export const scimSettingsProjection: Projection = {
  name: 'scim.settings',
  schema: 'scim',
  topics: [],
  privateStreams: ['scim-settings'],
  async apply(manager: EntityManager, envelope: IntegrationEvent): Promise<void> {
    const event = { type: envelope.eventType, data: envelope.data } as ScimSettingsEvent;
    const at = envelope.occurredAt;
    switch (event.type) {
      case 'ScimProvisioningEnabled':
        await manager.query(
          `INSERT INTO scim.settings (tenant_id, enabled, idp, retrieval, updated_at) VALUES ($1, true, $2, 'all', $3)
           ON CONFLICT (tenant_id) DO UPDATE SET enabled = true, idp = excluded.idp, updated_at = excluded.updated_at`,
          [event.data.tenantId, event.data.idp, at],
        );
        return;
      case 'ScimProvisioningDisabled':
        await manager.query(`UPDATE scim.settings SET enabled = false, updated_at = $2 WHERE tenant_id = $1`, [event.data.tenantId, at]);
        return;
      case 'ScimUserRetrievalSet':
        await manager.query(`UPDATE scim.settings SET retrieval = $2, updated_at = $3 WHERE tenant_id = $1`, [event.data.tenantId, event.data.retrieval, at]);
        return;
      case 'ScimNewUsersVisibilitySet':
        await manager.query(`UPDATE scim.settings SET new_users_visible = $2, updated_at = $3 WHERE tenant_id = $1`, [
          event.data.tenantId,
          event.data.visibleInDirectory,
          at,
        ]);
        return;
      case 'ScimTokenIssued':
        await manager.query(
          `INSERT INTO scim.tokens (token_id, tenant_id, token_hash, issued_at) VALUES ($1, $2, $3, $4) ON CONFLICT (token_id) DO NOTHING`,
          [event.data.tokenId, event.data.tenantId, event.data.tokenHash, at],
        );
        return;
      case 'ScimTokenRetiring':
        await manager.query(`UPDATE scim.tokens SET valid_until = $2 WHERE token_id = $1`, [event.data.tokenId, event.data.validUntil]);
        return;
      case 'ScimTokenRevoked':
        await manager.query(`UPDATE scim.tokens SET revoked_at = $2 WHERE token_id = $1`, [event.data.tokenId, at]);
        return;
    }
  },
  async reset(manager: EntityManager): Promise<void> {
    await manager.query(`TRUNCATE scim.settings, scim.tokens`);
  },
};

/** Groups and their members (private events of group streams); member changes cost what changed. */
export const scimGroupsProjection: Projection = {
  name: 'scim.groups',
  schema: 'scim',
  topics: [],
  privateStreams: ['group'],
  async apply(manager: EntityManager, envelope: IntegrationEvent): Promise<void> {
    const event = { type: envelope.eventType, data: envelope.data } as GroupEvent;
    const groupId = envelope.aggregateId;
    if (event.type === 'GroupCreated') {
      await manager.query(
        `INSERT INTO scim.groups (group_id, tenant_id, display_name, external_id, created_at, last_modified, version)
         VALUES ($1, $2, $3, $4, $5, $5, $6) ON CONFLICT (group_id) DO NOTHING`,
        [groupId, envelope.tenantId, event.data.displayName, event.data.externalId, envelope.occurredAt, envelope.aggregateVersion],
      );
      return;
    }
    const columns: Record<string, unknown> = {};
    switch (event.type) {
      case 'GroupRenamed':
        columns.display_name = event.data.displayName;
        break;
      case 'GroupExternalIdChanged':
        columns.external_id = event.data.externalId;
        break;
      case 'GroupDeleted':
        columns.deleted = true;
        await manager.query(`DELETE FROM scim.group_members WHERE group_id = $1`, [groupId]);
        break;
      case 'GroupMembersCleared':
        await manager.query(`DELETE FROM scim.group_members WHERE group_id = $1`, [groupId]);
        break;
      case 'GroupMembersAdded':
        await manager.query(
          `INSERT INTO scim.group_members (group_id, user_id) SELECT $1, unnest($2::uuid[]) ON CONFLICT DO NOTHING`,
          [groupId, event.data.userIds],
        );
        break;
      case 'GroupMembersRemoved':
        await manager.query(`DELETE FROM scim.group_members WHERE group_id = $1 AND user_id = ANY($2::uuid[])`, [groupId, event.data.userIds]);
        break;
    }
    const entries = Object.entries(columns);
    await manager.query(
      `UPDATE scim.groups SET ${[...entries.map(([column], index) => `${column} = $${index + 4}`), 'last_modified = $2', 'version = $3'].join(', ')}
        WHERE group_id = $1`,
      [groupId, envelope.occurredAt, envelope.aggregateVersion, ...entries.map(([, value]) => value)],
    );
  },
  async reset(manager: EntityManager): Promise<void> {
    await manager.query(`TRUNCATE scim.groups, scim.group_members`);
  },
};
