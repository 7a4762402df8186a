import type { EntityManager } from 'typeorm';
import {
  TOPICS,
  type IntegrationEvent,
  type TenantAdminTokenIssuedData,
  type TenantAdminTokenRevokedData,
  type TenantCreatedData,
} from '@identity/contracts';
import type { Projection } from '@identity/platform-projections';

/** DDL of the tenant-access read model a service keeps in its own schema (for its migration). */
export function tenantAccessTablesSql(schema: string): string[] {
  return [
    `CREATE TABLE ${schema}.tenants (
      tenant_id uuid PRIMARY KEY,
      name text NOT NULL,
      created_at timestamptz NOT NULL
    )`,
    `CREATE INDEX ${schema}_tenants_by_name ON ${schema}.tenants (lower(name), tenant_id)`,
    `CREATE TABLE ${schema}.admin_tokens (
      token_id uuid PRIMARY KEY,
      tenant_id uuid NOT NULL,
      token_hash char(64) NOT NULL UNIQUE,
      label text NOT NULL,
      issued_at timestamptz NOT NULL,
      revoked_at timestamptz
    )`,
  ];
}

/**
 * Companies and their admin-token hashes, as one service sees them: every service that serves
 * tenant admins keeps this read model in its own schema and authenticates from it locally.
 */
export function tenantAccessProjection(schema: string): Projection {
  return {
    name: `${schema}.tenant-access`,
    schema,
    topics: [TOPICS.directoryTenant.name],
    async apply(manager: EntityManager, event: IntegrationEvent): Promise<void> {
      switch (event.eventType) {
        case 'TenantCreated': {
          const data = event.data as TenantCreatedData;
          await manager.query(
            `INSERT INTO ${schema}.tenants (tenant_id, name, created_at) VALUES ($1, $2, $3) ON CONFLICT (tenant_id) DO NOTHING`,
            [data.tenantId, data.name, event.occurredAt],
          );
          return;
        }
        case 'TenantAdminTokenIssued': {
          const data = event.data as TenantAdminTokenIssuedData;
          await manager.query(
            `INSERT INTO ${schema}.admin_tokens (token_id, tenant_id, token_hash, label, issued_at) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (token_id) DO NOTHING`,
            [data.tokenId, data.tenantId, data.tokenHash, data.label, event.occurredAt],
          );
          return;
        }
        case 'TenantAdminTokenRevoked': {
          const data = event.data as TenantAdminTokenRevokedData;
          await manager.query(`UPDATE ${schema}.admin_tokens SET revoked_at = $2 WHERE token_id = $1`, [data.tokenId, event.occurredAt]);
          return;
        }
      }
    },
    async reset(manager: EntityManager): Promise<void> {
      await manager.query(`TRUNCATE ${schema}.tenants, ${schema}.admin_tokens`);
    },
  };
}
