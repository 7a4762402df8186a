import type { EntityManager } from 'typeorm';
import {
  TOPICS,
  type IntegrationEvent,
  type TenantAdminTokenIssuedData,
  type TenantAdminTokenRevokedData,
  type TenantCreatedData,
} from '@identity/contracts';
import type { Projection } from '@identity/platform-projections';

/** Companies and their admin-token hashes, as the directory service reads them. */
export const tenantsProjection: Projection = {
  name: 'directory.tenants',
  schema: 'directory',
  topics: [TOPICS.directoryTenant.name],
  async apply(manager: EntityManager, event: IntegrationEvent): Promise<void> {
    switch (event.eventType) {
      case 'TenantCreated': {
        const data = event.data as TenantCreatedData;
        await manager.query(
          `INSERT INTO directory.tenants (tenant_id, name, created_at) VALUES ($1, $2, $3) ON CONFLICT (tenant_id) DO NOTHING`,
          [data.tenantId, data.name, event.occurredAt],
        );
        return;
      }
      case 'TenantAdminTokenIssued': {
        const data = event.data as TenantAdminTokenIssuedData;
        await manager.query(
          `INSERT INTO directory.admin_tokens (token_id, tenant_id, token_hash, label, issued_at) VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (token_id) DO NOTHING`,
          [data.tokenId, data.tenantId, data.tokenHash, data.label, event.occurredAt],
        );
        return;
      }
      case 'TenantAdminTokenRevoked': {
        const data = event.data as TenantAdminTokenRevokedData;
        await manager.query(`UPDATE directory.admin_tokens SET revoked_at = $2 WHERE token_id = $1`, [data.tokenId, event.occurredAt]);
        return;
      }
    }
  },
  async reset(manager: EntityManager): Promise<void> {
    await manager.query(`TRUNCATE directory.tenants, directory.admin_tokens`);
  },
};
