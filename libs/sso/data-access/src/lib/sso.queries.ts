import type { DataSource } from 'typeorm';
import type { SsoConfiguration, TrustedCertificate } from '@identity/sso-domain';

export interface LoginAccount {
  userId: string;
  tenantId: string;
  userName: string;
  status: 'active' | 'deactivated' | 'deleted';
}

interface ConfigurationRow {
  tenant_id: string;
  enabled: boolean;
  idp: SsoConfiguration['idp'];
  sign_in_url: string | null;
  issuer: string | null;
  sign_out_url: string | null;
  admin_role: string | null;
  certificates: TrustedCertificate[];
}

/** ConfigurationRow's columns, named: a prepared `SELECT *` would break on running pods when a migration adds one. */
const CONFIGURATION_COLUMNS = ['tenant_id', 'enabled', 'idp', 'sign_in_url', 'issuer', 'sign_out_url', 'admin_role', 'certificates'];

/** Reads of the SSO read models. */
export class SsoQueries {
  constructor(private readonly dataSource: DataSource) {}

  async configuration(tenantId: string): Promise<SsoConfiguration | null> {
    const rows = (await this.dataSource.query(`SELECT ${CONFIGURATION_COLUMNS.join(', ')} FROM sso.configurations WHERE tenant_id = $1`, [tenantId])) as ConfigurationRow[];
    return rows.length === 0 ? null : toConfiguration(rows[0]);
  }

  /**
   * The companies whose enabled SSO trusts an issuer, at most 20 (each costs a signature check): the
   * one with a live account named `userNameHint` first, then in a fixed order, so that companies
   * naming another's issuer can never crowd out the user's own.
   */
  async enabledConfigurationsByIssuer(issuer: string, userNameHint: string | null): Promise<SsoConfiguration[]> {
    const rows = (await this.dataSource.query(
      `SELECT ${CONFIGURATION_COLUMNS.map((column) => `c.${column}`).join(', ')} FROM sso.configurations c
        WHERE c.enabled AND c.issuer = $1
        ORDER BY EXISTS (SELECT 1 FROM sso.login_accounts a WHERE a.tenant_id = c.tenant_id AND lower(a.user_name) = lower($2) AND a.status <> 'deleted') DESC,
                 c.tenant_id
        LIMIT 20`,
      [issuer, userNameHint],
    )) as ConfigurationRow[];
    return rows.map(toConfiguration);
  }

  /** Which of these companies have a live (not deleted) account of this username. */
  async tenantsWithLiveAccount(userName: string, tenantIds: readonly string[]): Promise<Set<string>> {
    if (tenantIds.length === 0) return new Set();
    const rows = (await this.dataSource.query(
      `SELECT DISTINCT tenant_id::text AS "tenantId" FROM sso.login_accounts
        WHERE lower(user_name) = lower($1) AND status <> 'deleted' AND tenant_id = ANY($2::uuid[])`,
      [userName, tenantIds],
    )) as { tenantId: string }[];
    return new Set(rows.map((row) => row.tenantId));
  }

  /** Usernames are platform-wide, so the username alone finds the company. */
  async accountByUserName(userName: string): Promise<LoginAccount | null> {
    const rows = (await this.dataSource.query(
      `SELECT user_id AS "userId", tenant_id AS "tenantId", user_name AS "userName", status FROM sso.login_accounts
        WHERE lower(user_name) = lower($1) AND status <> 'deleted' ORDER BY updated_at DESC LIMIT 1`,
      [userName],
    )) as LoginAccount[];
    return rows[0] ?? null;
  }

  async account(tenantId: string, userName: string): Promise<LoginAccount | null> {
    const rows = (await this.dataSource.query(
      `SELECT user_id AS "userId", tenant_id AS "tenantId", user_name AS "userName", status FROM sso.login_accounts
        WHERE tenant_id = $1 AND lower(user_name) = lower($2) ORDER BY (status = 'deleted'), updated_at DESC LIMIT 1`,
      [tenantId, userName],
    )) as LoginAccount[];
    return rows[0] ?? null;
  }

  async tenantOfRequest(requestId: string): Promise<string | null> {
    const rows = (await this.dataSource.query(`SELECT tenant_id AS "tenantId" FROM sso.authn_requests WHERE request_id = $1 AND expires_at > now()`, [
      requestId,
    ])) as { tenantId: string }[];
    return rows[0]?.tenantId ?? null;
  }
}

function toConfiguration(row: ConfigurationRow): SsoConfiguration {
  return {
    tenantId: row.tenant_id,
    enabled: row.enabled,
    idp: row.idp,
    signInUrl: row.sign_in_url,
    issuer: row.issuer,
    signOutUrl: row.sign_out_url,
    adminRole: row.admin_role,
    certificates: row.certificates,
  };
}
