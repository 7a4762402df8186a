import type { EntityManager } from 'typeorm';
import { TOPICS, type IntegrationEvent, type UserProvisionedData } from '@identity/contracts';
import type { Projection } from '@identity/platform-projections';
import { tenantAccessProjection } from '@identity/platform-tenancy';
import type { SsoConfiguration } from '@identity/sso-domain';

/** The configuration in force per company, written in the transaction that changes it. */
export const ssoConfigurationsProjection: Projection = {
  name: 'sso.configurations',
  schema: 'sso',
  topics: [],
  privateStreams: ['sso-configuration'],
  async apply(manager: EntityManager, event: IntegrationEvent): Promise<void> {
    if (event.eventType !== 'SsoConfigured') return;
    const data = event.data as SsoConfiguration;
    await manager.query(
      `INSERT INTO sso.configurations (tenant_id, enabled, idp, sign_in_url, issuer, sign_out_url, admin_role, certificates, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT (tenant_id) DO UPDATE SET enabled = excluded.enabled, idp = excluded.idp, sign_in_url = excluded.sign_in_url,
         issuer = excluded.issuer, sign_out_url = excluded.sign_out_url, admin_role = excluded.admin_role, certificates = excluded.certificates,
         updated_at = excluded.updated_at`,
      [data.tenantId, data.enabled, data.idp, data.signInUrl, data.issuer, data.signOutUrl, data.adminRole ?? null, JSON.stringify(data.certificates), event.occurredAt],
    );
  },
  async reset(manager: EntityManager): Promise<void> {
    await manager.query(`TRUNCATE sso.configurations`);
  },
};

/**
 * Login eligibility: username to company, and whether the user may sign in. A deactivation or a
 * deletion also ends the user's sessions, in the same transaction, so they die as soon as the event
 * arrives rather than when an access token runs out.
 */
export const loginAccountsProjection: Projection = {
  name: 'sso.login-accounts',
  schema: 'sso',
  topics: [TOPICS.identityUser.name],
  async apply(manager: EntityManager, event: IntegrationEvent): Promise<void> {
    switch (event.eventType) {
      case 'UserProvisioned': {
        const data = event.data as UserProvisionedData;
        await manager.query(
          `INSERT INTO sso.login_accounts (user_id, tenant_id, user_name, status, updated_at) VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (user_id) DO NOTHING`,
          [data.userId, event.tenantId, data.userName, data.active ? 'active' : 'deactivated', event.occurredAt],
        );
        if (!data.active) await revokeSessions(manager, event, 'user-deactivated');
        return;
      }
      case 'UserAttributesChanged': {
        const userName = (event.data as { changes: { userName?: string } }).changes.userName;
        if (userName !== undefined) await setAccount(manager, event, 'user_name', userName);
        return;
      }
      case 'UserDeactivated':
        await setAccount(manager, event, 'status', 'deactivated');
        return revokeSessions(manager, event, 'user-deactivated');
      case 'UserReactivated':
        return setAccount(manager, event, 'status', 'active');
      case 'UserDeleted':
        await setAccount(manager, event, 'status', 'deleted');
        return revokeSessions(manager, event, 'user-deleted');
      default:
        return;
    }
  },
  async reset(manager: EntityManager): Promise<void> {
    await manager.query(`TRUNCATE sso.login_accounts`);
  },
};

async function setAccount(manager: EntityManager, event: IntegrationEvent, column: 'user_name' | 'status', value: string): Promise<void> {
  await manager.query(`UPDATE sso.login_accounts SET ${column} = $2, updated_at = $3 WHERE user_id = $1`, [event.aggregateId, value, event.occurredAt]);
}

async function revokeSessions(manager: EntityManager, event: IntegrationEvent, reason: string): Promise<void> {
  await manager.query(`UPDATE sso.sessions SET revoked_at = now(), revoked_reason = $2 WHERE user_id = $1 AND revoked_at IS NULL`, [event.aggregateId, reason]);
}

/** Companies and admin tokens, so tenant admins can configure their SSO here. */
export const ssoTenantAccessProjection = tenantAccessProjection('sso');
