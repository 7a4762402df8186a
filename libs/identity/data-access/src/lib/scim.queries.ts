import { isUuid } from '@identity/platform-service';
import type { DataSource, EntityManager } from 'typeorm';
import { Batcher } from '@identity/platform-batching';
import { orderByClause } from '@identity/platform-event-store';
import { compileFilter, compileSortBy, type FilterNode } from '@identity/platform-scim';
import { groupFilterSchema, userFilterSchema } from './scim-resource-types';
import { USER_COLUMNS, type ScimUserRow } from './scim-user.view';

export type UserRetrievalMode = 'all' | 'idp-only';

export interface ScimSettingsRow {
  tenantId: string;
  enabled: boolean;
  idp: 'azure-ad' | 'okta' | null;
  retrieval: UserRetrievalMode;
  newUsersVisible: boolean;
  updatedAt: string;
}

export interface ListQuery {
  filter?: FilterNode;
  /** 1-based, as in SCIM. */
  startIndex: number;
  count: number;
  sortBy?: string;
  descending: boolean;
}

export interface ScimGroupRow {
  group_id: string;
  tenant_id: string;
  display_name: string;
  external_id: string | null;
  created_at: Date;
  last_modified: Date;
  version: number;
}

type Queryable = Pick<DataSource | EntityManager, 'query'>;

/** Users the IdP may see at all: not deleted, and not deleted by the IdP itself. */
export const STALE_SITE_NAME_SORTS = { lastSeen: 'n.last_seen', userName: 'lower(u.user_name)', sentName: 'n.sent_name' } as const;

const GROUP_COLUMNS = 'group_id, tenant_id, display_name, external_id, created_at, last_modified, version';
const SHOWN_TO_THE_IDP = 'NOT u.deleted AND NOT u.idp_deleted';
/** With `idp-only` retrieval, the IdP sees only these. */
const CREATED_OR_LINKED_BY_THE_IDP = "u.owner = 'idp'";
/** With `idp-only` retrieval, users created in the admin console and never linked stay invisible to the IdP: as users and as members. */
const seenByTheIdp = (retrieval: UserRetrievalMode) => `${SHOWN_TO_THE_IDP}${retrieval === 'idp-only' ? ` AND ${CREATED_OR_LINKED_BY_THE_IDP}` : ''}`;

/**
 * Reads of scim-ingest's read models. Every query is scoped to one tenant. The look-ups every SCIM
 * request makes (its token, its site, the user it answers with) are batched: concurrent requests
 * share one round trip (see Batcher).
 */
export class ScimQueries {
  private readonly userLookups: Batcher<{ tenantId: string; userId: string; retrieval: UserRetrievalMode }, ScimUserRow | null>;
  private readonly siteLookups: Batcher<{ tenantId: string; name: string }, { siteId: string; currentName: string } | null>;
  private readonly tokenLookups: Batcher<{ tenantId: string; tokenHash: string }, ScimSettingsRow | null>;

  constructor(private readonly db: Queryable) {
    this.userLookups = new Batcher(async (lookups) => {
      const rows = (await this.db.query(
        `SELECT w.i, ${USER_COLUMNS}
           FROM unnest($1::uuid[], $2::uuid[], $3::boolean[]) WITH ORDINALITY AS w(tenant_id, user_id, idp_only, i)
           JOIN ${USERS} ON u.user_id = w.user_id
          WHERE u.tenant_id = w.tenant_id AND ${SHOWN_TO_THE_IDP} AND (NOT w.idp_only OR ${CREATED_OR_LINKED_BY_THE_IDP})`,
        [lookups.map((lookup) => lookup.tenantId), lookups.map((lookup) => lookup.userId), lookups.map((lookup) => lookup.retrieval === 'idp-only')],
      )) as (ScimUserRow & { i: string })[];
      return answersInOrder(lookups.length, rows);
    });
    this.siteLookups = new Batcher(async (lookups) => {
      const rows = (await this.db.query(
        `SELECT w.i, n.site_id AS "siteId", c.name AS "currentName"
           FROM unnest($1::uuid[], $2::text[]) WITH ORDINALITY AS w(tenant_id, name, i)
           JOIN scim.site_names n ON n.tenant_id = w.tenant_id AND n.name = w.name
           JOIN scim.site_names c ON c.site_id = n.site_id AND c.current`,
        [lookups.map((lookup) => lookup.tenantId), lookups.map((lookup) => lookup.name)],
      )) as { i: string; siteId: string; currentName: string }[];
      return answersInOrder(lookups.length, rows);
    });
    this.tokenLookups = new Batcher(async (lookups) => {
      const rows = (await this.db.query(
        `SELECT w.i, s.tenant_id AS "tenantId", s.enabled, s.idp, s.retrieval, s.new_users_visible AS "newUsersVisible", s.updated_at AS "updatedAt"
           FROM unnest($1::uuid[], $2::text[]) WITH ORDINALITY AS w(tenant_id, token_hash, i)
           JOIN scim.tokens t ON t.tenant_id = w.tenant_id AND t.token_hash = w.token_hash
           JOIN scim.settings s ON s.tenant_id = t.tenant_id AND s.enabled
          WHERE t.revoked_at IS NULL AND (t.valid_until IS NULL OR t.valid_until > now())`,
        [lookups.map((lookup) => lookup.tenantId), lookups.map((lookup) => lookup.tokenHash)],
      )) as (ScimSettingsRow & { i: string })[];
      return answersInOrder(lookups.length, rows);
    });
  }

  /** The tenant's ($1) users the IdP sees. */
  private visibleUsers(retrieval: UserRetrievalMode): string {
    return `u.tenant_id = $1 AND ${seenByTheIdp(retrieval)}`;
  }

  async user(tenantId: string, userId: string, retrieval: UserRetrievalMode): Promise<ScimUserRow | null> {
    if (!isUuid(userId)) return null;
    return this.userLookups.submit({ tenantId, userId, retrieval });
  }

  async users(tenantId: string, query: ListQuery, retrieval: UserRetrievalMode): Promise<{ total: number; rows: ScimUserRow[] }> {
    const filter = query.filter ? compileFilter(query.filter, userFilterSchema, 2) : { sql: 'TRUE', params: [] };
    const where = `${this.visibleUsers(retrieval)} AND (${filter.sql})`;
    const order = query.sortBy ? `${compileSortBy(query.sortBy, userFilterSchema)} ${query.descending ? 'DESC' : 'ASC'}, u.user_id` : 'u.created_at, u.user_id';
    const params = [tenantId, ...filter.params];
    // One round trip for the page and the total (Azure's lookups are single-match filters).
    const rows = (await this.db.query(
      `SELECT ${USER_COLUMNS}, count(*) OVER ()::int AS total_results FROM ${USERS} WHERE ${where}
        ORDER BY ${order} OFFSET $${params.length + 1} LIMIT $${params.length + 2}`,
      [...params, query.startIndex - 1, Math.max(query.count, 1)],
    )) as (ScimUserRow & { total_results: number })[];
    const total = rows.length > 0 ? rows[0].total_results : query.startIndex <= 1 ? 0 : await this.count(`SELECT count(*)::int AS total FROM ${USERS} WHERE ${where}`, params);
    return { total, rows: query.count === 0 ? [] : rows.map(({ total_results: _total, ...row }) => row) };
  }

  /**
   * The total when a page past the first is empty. An empty first page means no match: counting
   * again could find a user who arrived in between, and answer totalResults 1 with no Resources.
   */
  private async count(sql: string, params: unknown[]): Promise<number> {
    const [{ total }] = (await this.db.query(sql, params)) as { total: number }[];
    return total;
  }

  /** A user of the tenant that the IdP deleted (hidden from it, kept here): its re-creation restores it. */
  async idpDeletedUserNamed(tenantId: string, userName: string): Promise<string | null> {
    const [row] = (await this.db.query(
      `SELECT user_id FROM scim.users WHERE tenant_id = $1 AND lower(user_name) = lower($2) AND idp_deleted AND NOT deleted`,
      [tenantId, userName],
    )) as { user_id: string }[];
    return row?.user_id ?? null;
  }

  /** The site a SCIM value names: its current name or one it had before a rename (exact spelling). */
  async siteNamed(tenantId: string, name: string): Promise<{ siteId: string; currentName: string } | null> {
    return this.siteLookups.submit({ tenantId, name });
  }

  /** Remembers (or forgets) that the IdP sent a user's site under a name it no longer has. */
  async noteSiteNameSent(tenantId: string, userId: string, sentName: string, site: { siteId: string; currentName: string }): Promise<void> {
    if (sentName === site.currentName) {
      await this.db.query(`DELETE FROM scim.stale_site_names WHERE user_id = $1`, [userId]);
      return;
    }
    await this.db.query(
      `INSERT INTO scim.stale_site_names (user_id, tenant_id, sent_name, site_id, last_seen) VALUES ($1, $2, $3, $4, now())
       ON CONFLICT (user_id) DO UPDATE SET sent_name = excluded.sent_name, site_id = excluded.site_id, last_seen = excluded.last_seen`,
      [userId, tenantId, sentName, site.siteId],
    );
  }

  async staleSiteNames(tenantId: string, page: { offset: number; limit: number; sort: string }) {
    const rows = (await this.db.query(
      `SELECT n.user_id AS "userId", u.user_name AS "userName", n.sent_name AS "sentName", c.name AS "currentName", n.last_seen AS "lastSeen", count(*) OVER ()::int AS total
         FROM scim.stale_site_names n
         JOIN scim.users u ON u.user_id = n.user_id
         JOIN scim.site_names c ON c.site_id = n.site_id AND c.current
        WHERE n.tenant_id = $1 ORDER BY ${orderByClause(page.sort, STALE_SITE_NAME_SORTS, 'n.user_id')} OFFSET $2 LIMIT $3`,
      [tenantId, page.offset, page.limit],
    )) as { userId: string; userName: string; sentName: string; currentName: string; lastSeen: Date; total: number }[];
    return { items: rows.map(({ total: _total, ...row }) => row), total: rows[0]?.total ?? 0, offset: page.offset, limit: page.limit };
  }

  async settings(tenantId: string): Promise<ScimSettingsRow | null> {
    const [row] = (await this.db.query(
      `SELECT tenant_id AS "tenantId", enabled, idp, retrieval, new_users_visible AS "newUsersVisible", updated_at AS "updatedAt"
         FROM scim.settings WHERE tenant_id = $1`,
      [tenantId],
    )) as ScimSettingsRow[];
    return row ? { ...row, updatedAt: new Date(row.updatedAt).toISOString() } : null;
  }

  /** The tenant's settings when a SCIM bearer token (by hash) opens its endpoint right now; else null. */
  async settingsForToken(tenantId: string, tokenHash: string): Promise<ScimSettingsRow | null> {
    return this.tokenLookups.submit({ tenantId, tokenHash });
  }

  async tokens(tenantId: string): Promise<{ tokenId: string; issuedAt: string; validUntil: string | null }[]> {
    const rows = (await this.db.query(
      `SELECT token_id AS "tokenId", issued_at AS "issuedAt", valid_until AS "validUntil" FROM scim.tokens
        WHERE tenant_id = $1 AND revoked_at IS NULL AND (valid_until IS NULL OR valid_until > now()) ORDER BY issued_at`,
      [tenantId],
    )) as { tokenId: string; issuedAt: Date; validUntil: Date | null }[];
    return rows.map((row) => ({
      tokenId: row.tokenId,
      issuedAt: new Date(row.issuedAt).toISOString(),
      validUntil: row.validUntil ? new Date(row.validUntil).toISOString() : null,
    }));
  }

  /** The subset of ids that are users of the tenant the IdP can see (members must be), with its retrieval setting. */
  async existingUserIds(tenantId: string, ids: readonly string[], retrieval: UserRetrievalMode): Promise<Set<string>> {
    const candidates = ids.filter(isUuid);
    if (candidates.length === 0) return new Set();
    const rows = (await this.db.query(`SELECT user_id FROM scim.users u WHERE ${this.visibleUsers(retrieval)} AND user_id = ANY($2::uuid[])`, [tenantId, candidates])) as {
      user_id: string;
    }[];
    return new Set(rows.map((row) => row.user_id));
  }

  async group(tenantId: string, groupId: string): Promise<ScimGroupRow | null> {
    if (!isUuid(groupId)) return null;
    const [row] = (await this.db.query(
      `SELECT ${GROUP_COLUMNS} FROM scim.groups g
        WHERE g.tenant_id = $1 AND g.group_id = $2 AND NOT g.deleted`,
      [tenantId, groupId],
    )) as ScimGroupRow[];
    return row ?? null;
  }

  /**
   * The group with its members' ids (only those `among` the given ids, when given), read in one
   * statement: the members of the version read. With `idp-only` retrieval, not the members the IdP
   * cannot see: its replacement of the list, or its removal of one, leaves them.
   */
  async groupWithMembers(
    tenantId: string,
    groupId: string,
    retrieval: UserRetrievalMode,
    among?: readonly string[],
  ): Promise<(ScimGroupRow & { member_ids: string[] }) | null> {
    if (!isUuid(groupId)) return null;
    const [row] = (await this.db.query(
      `SELECT ${GROUP_COLUMNS},
              array(SELECT m.user_id::text FROM scim.group_members m JOIN scim.users u ON u.user_id = m.user_id
                     WHERE m.group_id = g.group_id${retrieval === 'idp-only' ? ` AND ${CREATED_OR_LINKED_BY_THE_IDP}` : ''}
                       AND ($3::uuid[] IS NULL OR m.user_id = ANY($3::uuid[]))) AS member_ids
         FROM scim.groups g WHERE g.tenant_id = $1 AND g.group_id = $2 AND NOT g.deleted`,
      [tenantId, groupId, among === undefined ? null : among.filter(isUuid)],
    )) as (ScimGroupRow & { member_ids: string[] })[];
    return row ?? null;
  }

  /** Groups as the IdP sees them, with its retrieval setting: a member filter finds only the members it can see. */
  async groups(tenantId: string, query: ListQuery, retrieval: UserRetrievalMode): Promise<{ total: number; rows: ScimGroupRow[] }> {
    const schema = groupFilterSchema(seenByTheIdp(retrieval));
    const filter = query.filter ? compileFilter(query.filter, schema, 2) : { sql: 'TRUE', params: [] };
    const where = `g.tenant_id = $1 AND NOT g.deleted AND (${filter.sql})`;
    const order = query.sortBy ? `${compileSortBy(query.sortBy, schema)} ${query.descending ? 'DESC' : 'ASC'}, g.group_id` : 'g.created_at, g.group_id';
    const params = [tenantId, ...filter.params];
    const rows = (await this.db.query(
      `SELECT ${GROUP_COLUMNS}, count(*) OVER ()::int AS total_results FROM scim.groups g
        WHERE ${where} ORDER BY ${order} OFFSET $${params.length + 1} LIMIT $${params.length + 2}`,
      [...params, query.startIndex - 1, Math.max(query.count, 1)],
    )) as (ScimGroupRow & { total_results: number })[];
    const total = rows.length > 0 ? rows[0].total_results : query.startIndex <= 1 ? 0 : await this.count(`SELECT count(*)::int AS total FROM scim.groups g WHERE ${where}`, params);
    return { total, rows: query.count === 0 ? [] : rows.map(({ total_results: _total, ...row }) => row) };
  }

  /** The tenant's provisioning log, newest first (or failures first), filtered by outcome and time. */
  async provisioningLog(
    tenantId: string,
    query: { outcome?: 'success' | 'failure'; from?: string; to?: string; user?: string; sort: 'time' | 'failures-first'; offset: number; limit: number },
  ) {
    const conditions = ['tenant_id = $1'];
    const params: unknown[] = [tenantId];
    if (query.outcome) conditions.push(`outcome = $${params.push(query.outcome)}`);
    if (query.from) conditions.push(`at >= $${params.push(query.from)}`);
    if (query.to) conditions.push(`at < $${params.push(query.to)}`);
    if (query.user) {
      const index = params.push(query.user);
      conditions.push(
        `(resource_id = $${index}::text OR lower(user_name) = (SELECT lower(user_name) FROM scim.users WHERE tenant_id = $1 AND user_id = $${index}::uuid))`,
      );
    }
    const order = query.sort === 'failures-first' ? `(outcome = 'failure') DESC, at DESC, entry_id DESC` : 'at DESC, entry_id DESC';
    const where = conditions.join(' AND ');
    const [{ total }] = (await this.db.query(`SELECT count(*)::int AS total FROM scim.provisioning_log WHERE ${where}`, params)) as { total: number }[];
    const items = await this.db.query(
      `SELECT entry_id::text AS "entryId", at, method, path, operation, resource_type AS "resourceType", resource_id AS "resourceId",
              user_name AS "userName", status, outcome, error_type AS "errorType", error_detail AS "errorDetail", duration_ms AS "durationMs",
              correlation_id AS "correlationId"
         FROM scim.provisioning_log WHERE ${where} ORDER BY ${order} OFFSET $${params.length + 1} LIMIT $${params.length + 2}`,
      [...params, query.offset, query.limit],
    );
    return { items, total, offset: query.offset, limit: query.limit };
  }

  /** Members of groups (only asked for when the response includes them) the IdP can see, with its retrieval setting. */
  async members(groupIds: readonly string[], retrieval: UserRetrievalMode): Promise<Map<string, { value: string; display: string }[]>> {
    const result = new Map<string, { value: string; display: string }[]>(groupIds.map((id) => [id, []]));
    if (groupIds.length === 0) return result;
    const rows = (await this.db.query(
      `SELECT m.group_id, m.user_id, u.user_name FROM scim.group_members m JOIN scim.users u ON u.user_id = m.user_id
        WHERE m.group_id = ANY($1::uuid[]) AND ${seenByTheIdp(retrieval)} ORDER BY u.user_name`,
      [groupIds],
    )) as { group_id: string; user_id: string; user_name: string }[];
    for (const row of rows) result.get(row.group_id)?.push({ value: row.user_id, display: row.user_name });
    return result;
  }
}

/** Users with their site's current name: a renamed site shows its new name at once. */
const USERS = `scim.users u LEFT JOIN scim.site_names sn ON sn.site_id = u.site_id AND sn.current LEFT JOIN scim.user_telephony ut ON ut.user_id = u.user_id`;

/** A batch's answers in the order of its look-ups (`i`, 1-based, from WITH ORDINALITY); null where nothing matched. */
function answersInOrder<Row extends { i: string }>(count: number, rows: readonly Row[]): { value: Omit<Row, 'i'> | null }[] {
  const answers: { value: Omit<Row, 'i'> | null }[] = Array.from({ length: count }, () => ({ value: null }));
  for (const { i, ...row } of rows) answers[Number(i) - 1] = { value: row };
  return answers;
}
