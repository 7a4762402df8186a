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
  apply: (manager, event) => applyAccountEvent(manager, event, false),
  /**
   * A batch (a SCIM cycle's creates): the accounts it creates are one INSERT with their later
   * changes in the batch folded in; other events are applied in order.
   */
  applyMany: (manager, events) => applyAccountEvents(manager, events, false),
  /**
   * A rebuild: the same, but a replayed deactivation ends only the sessions it could have ended
   * when it happened. Sessions outlive a rebuild, so one still ends those (a deactivation the live
   * consumer has not reached yet); it leaves alone a session started after a later reactivation.
   */
  replay: (manager, events) => applyAccountEvents(manager, events, true),
  async reset(manager: EntityManager): Promise<void> {
    await manager.query(`TRUNCATE sso.login_accounts`);
  },
};

interface LoginAccount {
  userId: string;
  tenantId: string;
  userName: string;
  status: string;
  updatedAt: string;
}

function newAccount(event: IntegrationEvent): LoginAccount {
  const data = event.data as UserProvisionedData;
  return { userId: data.userId, tenantId: event.tenantId, userName: data.userName, status: data.active ? 'active' : 'deactivated', updatedAt: event.occurredAt };
}

/** What an event after the provisioning does to the account: a column it sets, and whether it ends the user's sessions. */
function accountChange(event: IntegrationEvent): { set?: { column: 'user_name' | 'status'; value: string }; revoke?: string } {
  switch (event.eventType) {
    case 'UserAttributesChanged': {
      const userName = (event.data as { changes: { userName?: string } }).changes.userName;
      return userName === undefined ? {} : { set: { column: 'user_name', value: userName } };
    }
    case 'UserDeactivated':
      return { set: { column: 'status', value: 'deactivated' }, revoke: 'user-deactivated' };
    case 'UserReactivated':
      return { set: { column: 'status', value: 'active' } };
    case 'UserDeleted':
      return { set: { column: 'status', value: 'deleted' }, revoke: 'user-deleted' };
    default:
      return {};
  }
}

async function applyAccountEvent(manager: EntityManager, event: IntegrationEvent, replaying: boolean): Promise<void> {
  const until = replaying ? event.occurredAt : undefined;
  if (event.eventType === 'UserProvisioned') {
    const account = newAccount(event);
    await insertAccounts(manager, [account]);
    if (account.status !== 'active') await revokeSessions(manager, event.aggregateId, 'user-deactivated', until);
    return;
  }
  const { set, revoke } = accountChange(event);
  if (set) await manager.query(`UPDATE sso.login_accounts SET ${set.column} = $2, updated_at = $3 WHERE user_id = $1`, [event.aggregateId, set.value, event.occurredAt]);
  if (set?.column === 'user_name') await renameSessions(manager, event.aggregateId, set.value);
  if (revoke) await revokeSessions(manager, event.aggregateId, revoke, until);
}

async function applyAccountEvents(manager: EntityManager, events: readonly IntegrationEvent[], replaying: boolean): Promise<void> {
  const creating = new Map<string, LoginAccount>();
  const revocations: { userId: string; reason: string; until: string }[] = [];
  const others: IntegrationEvent[] = [];
  const renamed = new Set<LoginAccount>();
  for (const event of events) {
    const created = creating.get(event.aggregateId);
    if (event.eventType === 'UserProvisioned') {
      const account = newAccount(event);
      creating.set(event.aggregateId, account);
      if (account.status !== 'active') revocations.push({ userId: account.userId, reason: 'user-deactivated', until: event.occurredAt });
    } else if (created) {
      const { set, revoke } = accountChange(event);
      if (set?.column === 'user_name') {
        created.userName = set.value;
        renamed.add(created);
      }
      if (set?.column === 'status') created.status = set.value;
      if (set) created.updatedAt = event.occurredAt;
      if (revoke) revocations.push({ userId: created.userId, reason: revoke, until: event.occurredAt });
    } else others.push(event);
  }
  if (creating.size > 0) await insertAccounts(manager, [...creating.values()]);
  // A rebuild replays the accounts while their sessions stay.
  for (const account of renamed) await renameSessions(manager, account.userId, account.userName);
  for (const { userId, reason, until } of revocations) await revokeSessions(manager, userId, reason, replaying ? until : undefined);
  for (const event of others) await applyAccountEvent(manager, event, replaying);
}

async function insertAccounts(manager: EntityManager, accounts: readonly LoginAccount[]): Promise<void> {
  await manager.query(
    `INSERT INTO sso.login_accounts (user_id, tenant_id, user_name, status, updated_at)
     SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::timestamptz[])
     ON CONFLICT (user_id) DO NOTHING`,
    [accounts.map((a) => a.userId), accounts.map((a) => a.tenantId), accounts.map((a) => a.userName), accounts.map((a) => a.status), accounts.map((a) => a.updatedAt)],
  );
}

/**
 * The user's sessions carry the current username: into their tokens (`name`), introspection, and
 * the check that an IdP's logout request names the session's user.
 */
async function renameSessions(manager: EntityManager, userId: string, userName: string): Promise<void> {
  await manager.query(`UPDATE sso.sessions SET user_name = $2 WHERE user_id = $1 AND user_name IS DISTINCT FROM $2`, [userId, userName]);
}

/**
 * Ends the user's open sessions; with `startedBy`, only those started before then (a minute's
 * allowance for the clocks of the service that stamped the event and of the database).
 */
async function revokeSessions(manager: EntityManager, userId: string, reason: string, startedBy?: string): Promise<void> {
  await manager.query(
    `UPDATE sso.sessions SET revoked_at = now(), revoked_reason = $2
      WHERE user_id = $1 AND revoked_at IS NULL AND ($3::timestamptz IS NULL OR created_at <= $3::timestamptz + interval '1 minute')`,
    [userId, reason, startedBy ?? null],
  );
}

/** Ends a company's open sessions (only its console admins' with `consoleAdminsOnly`), in the caller's transaction. */
export async function endCompanySessions(manager: EntityManager, tenantId: string, reason: string, consoleAdminsOnly: boolean): Promise<void> {
  await manager.query(
    `UPDATE sso.sessions SET revoked_at = now(), revoked_reason = $2 WHERE tenant_id = $1 AND revoked_at IS NULL AND (console_admin OR NOT $3::boolean)`,
    [tenantId, reason, consoleAdminsOnly],
  );
}

/** Companies and admin tokens, so tenant admins can configure their SSO here. */
export const ssoTenantAccessProjection = tenantAccessProjection('sso');
