import type { DataSource } from 'typeorm';
import { orderByClause } from '@identity/platform-event-store';

export interface LicensingUserRow {
  userId: string;
  userName: string;
  status: 'active' | 'deactivated' | 'deleted';
  siteId: string | null;
  siteName: string | null;
  department: string | null;
  title: string | null;
  plan: string | null;
  version: number;
}

export const LICENSED_USER_SORTS = { userName: 'lower(u.user_name)', plan: 'l.plan', siteName: 'lower(coalesce(sn.name, u.site_name))' } as const;
export const UNSERVED_SORTS = { at: 'n.at', userName: 'lower(u.user_name)', plan: 'n.plan' } as const;

const USER = `u.user_id AS "userId", u.user_name AS "userName", u.status, u.site_id AS "siteId", coalesce(sn.name, u.site_name) AS "siteName",
  u.department, u.title, l.plan, u.version`;
/** Users with their license and their site's current name (the one in the user's row is of the moment it was assigned). */
const USERS = `licensing.users u LEFT JOIN licensing.user_licenses l ON l.user_id = u.user_id LEFT JOIN licensing.site_names sn ON sn.site_id = u.site_id`;

/** Reads of the licensing read models; all scoped to one tenant. */
export class LicensingQueries {
  constructor(private readonly dataSource: DataSource) {}

  async usage(tenantId: string) {
    const plans = (await this.dataSource.query(
      `SELECT plan, total AS seats, used, total - used AS free FROM licensing.seats WHERE tenant_id = $1 ORDER BY plan`,
      [tenantId],
    )) as { plan: string; seats: number; used: number; free: number }[];
    const [{ unlicensed, withoutSite }] = (await this.dataSource.query(
      `SELECT count(*) FILTER (WHERE l.user_id IS NULL)::int AS unlicensed,
              count(*) FILTER (WHERE l.user_id IS NULL AND u.site_id IS NULL)::int AS "withoutSite"
         FROM licensing.users u LEFT JOIN licensing.user_licenses l ON l.user_id = u.user_id
        WHERE u.tenant_id = $1 AND u.status <> 'deleted'`,
      [tenantId],
    )) as { unlicensed: number; withoutSite: number }[];
    return { plans, unlicensedUsers: unlicensed, unlicensedUsersWithoutSite: withoutSite };
  }

  async user(tenantId: string, userId: string): Promise<LicensingUserRow | null> {
    const [row] = (await this.dataSource.query(
      `SELECT ${USER} FROM ${USERS} WHERE u.tenant_id = $1 AND u.user_id = $2`,
      [tenantId, userId],
    )) as LicensingUserRow[];
    return row ?? null;
  }

  async userNamed(tenantId: string, userName: string): Promise<LicensingUserRow | null> {
    const [row] = (await this.dataSource.query(
      `SELECT ${USER} FROM ${USERS}
        WHERE u.tenant_id = $1 AND lower(u.user_name) = lower($2) AND u.status <> 'deleted'`,
      [tenantId, userName],
    )) as LicensingUserRow[];
    return row ?? null;
  }

  /** The users of a batch of usernames (case-insensitive), keyed by lower-cased username. */
  async usersNamed(tenantId: string, userNames: readonly string[]): Promise<Map<string, LicensingUserRow>> {
    const rows = (await this.dataSource.query(
      `SELECT ${USER} FROM ${USERS}
        WHERE u.tenant_id = $1 AND lower(u.user_name) = ANY($2::text[]) AND u.status <> 'deleted'`,
      [tenantId, userNames.map((name) => name.toLowerCase())],
    )) as LicensingUserRow[];
    return new Map(rows.map((row) => [row.userName.toLowerCase(), row]));
  }

  async users(tenantId: string, query: { licensed?: boolean; plan?: string; offset: number; limit: number; sort: string }) {
    const conditions = [`u.tenant_id = $1`, `u.status <> 'deleted'`];
    const params: unknown[] = [tenantId];
    if (query.licensed !== undefined) conditions.push(query.licensed ? 'l.user_id IS NOT NULL' : 'l.user_id IS NULL');
    if (query.plan) conditions.push(`l.plan = $${params.push(query.plan)}`);
    const where = conditions.join(' AND ');
    const [{ total }] = (await this.dataSource.query(`SELECT count(*)::int AS total FROM ${USERS} WHERE ${where}`, params)) as { total: number }[];
    const items = (await this.dataSource.query(
      `SELECT ${USER} FROM ${USERS} WHERE ${where} ORDER BY ${orderByClause(query.sort, LICENSED_USER_SORTS, 'u.user_id')} OFFSET $${params.length + 1} LIMIT $${params.length + 2}`,
      [...params, query.offset, query.limit],
    )) as LicensingUserRow[];
    return { items: items.map((item) => ({ ...item, hasSite: item.siteId !== null })), total, offset: query.offset, limit: query.limit };
  }

  async rules(tenantId: string) {
    return this.dataSource.query(`SELECT attribute, value, plan FROM licensing.rules WHERE tenant_id = $1 ORDER BY position`, [tenantId]) as Promise<
      { attribute: 'department' | 'site' | 'title'; value: string; plan: string }[]
    >;
  }

  /** Which of these companies have assignment rules at all. */
  async companiesWithRules(tenantIds: readonly string[]): Promise<Set<string>> {
    const rows = (await this.dataSource.query(`SELECT DISTINCT tenant_id::text AS tenant_id FROM licensing.rules WHERE tenant_id = ANY($1::uuid[])`, [tenantIds])) as {
      tenant_id: string;
    }[];
    return new Set(rows.map((row) => row.tenant_id));
  }

  /** Users a rule could not serve, while it still could: not once deleted or licensed (by an admin, say), nor once no rule names the plan. */
  async unserved(tenantId: string, page: { offset: number; limit: number; sort: string }) {
    const rows = (await this.dataSource.query(
      `SELECT n.user_id AS "userId", u.user_name AS "userName", n.plan, n.reason, n.at, count(*) OVER ()::int AS total FROM licensing.unserved n
         JOIN licensing.users u ON u.user_id = n.user_id
        WHERE n.tenant_id = $1 AND u.status <> 'deleted'
          AND NOT EXISTS (SELECT 1 FROM licensing.user_licenses l WHERE l.user_id = n.user_id)
          AND EXISTS (SELECT 1 FROM licensing.rules r WHERE r.tenant_id = n.tenant_id AND r.plan = n.plan)
        ORDER BY ${orderByClause(page.sort, UNSERVED_SORTS, 'n.user_id')} OFFSET $2 LIMIT $3`,
      [tenantId, page.offset, page.limit],
    )) as { userId: string; userName: string; plan: string; reason: string; at: Date; total: number }[];
    return { items: rows.map(({ total: _total, ...row }) => row), total: rows[0]?.total ?? 0, offset: page.offset, limit: page.limit };
  }

  /** A user no rule matches any more (their department changed, say) is no longer waiting for a rule's license. */
  async forgetUnserved(tenantId: string, userId: string): Promise<void> {
    await this.dataSource.query(`DELETE FROM licensing.unserved WHERE tenant_id = $1 AND user_id = $2`, [tenantId, userId]);
  }

  async noteUnserved(tenantId: string, userId: string, plan: string, reason: string): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO licensing.unserved (user_id, tenant_id, plan, reason, at) VALUES ($1, $2, $3, $4, now())
       ON CONFLICT (user_id) DO UPDATE SET plan = excluded.plan, reason = excluded.reason, at = excluded.at`,
      [userId, tenantId, plan, reason],
    );
  }
}
