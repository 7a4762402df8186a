import type { DataSource } from 'typeorm';
import { orderByClause, PLANNED_PER_CALL } from '@identity/platform-event-store';
import type { Page } from '@identity/platform-tenancy';

/** Fields an IdP masters once it owns a user (mirrors the aggregate's rule, for display). */
const IDP_LOCKED = ['userName', 'givenName', 'familyName', 'email', 'active'];

export interface AdminUserRow {
  userId: string;
  userName: string;
  externalId: string | null;
  status: 'active' | 'deactivated';
  owner: 'idp' | 'admin';
  source: string;
  givenName: string | null;
  familyName: string | null;
  email: string | null;
  title: string | null;
  department: string | null;
  mobilePhone: string | null;
  workPhone: string | null;
  locale: string | null;
  timezone: string | null;
  site: { siteId: string; name: string } | null;
  license: { plan: string } | null;
  /** Set in the admin console for licensed users (never by the IdP). */
  extension: string | null;
  directNumber: string | null;
  visibleInDirectory: boolean;
  lockedFields: string[];
  createdAt: string;
  updatedAt: string;
  version: number;
}

export interface AdminUserFilter {
  q?: string;
  status?: 'active' | 'deactivated';
  siteId?: string;
  owner?: 'idp' | 'admin';
  source?: string;
  licensed?: boolean;
  sort: 'userName' | 'familyName' | 'createdAt' | 'updatedAt';
  descending: boolean;
  offset: number;
  limit: number;
}

const SORT_COLUMNS: Record<AdminUserFilter['sort'], string> = {
  userName: 'lower(u.user_name)',
  familyName: 'lower(u.family_name)',
  createdAt: 'u.created_at',
  updatedAt: 'u.updated_at',
};

const SELECT = `u.user_id, u.user_name, u.external_id, u.status, u.owner, u.idp, u.given_name, u.family_name, u.email, u.title, u.department,
  u.mobile_phone, u.work_phone, u.locale, u.timezone, u.site_id, s.name AS site_name, l.plan, t.extension, t.direct_number, u.visible, u.created_at, u.updated_at, u.version`;
const FROM = `directory.users u LEFT JOIN directory.sites s ON s.site_id = u.site_id LEFT JOIN directory.user_licenses l ON l.user_id = u.user_id
  LEFT JOIN directory.user_telephony t ON t.user_id = u.user_id`;

interface Row {
  user_id: string;
  user_name: string;
  external_id: string | null;
  status: 'active' | 'deactivated';
  owner: 'idp' | 'admin';
  idp: string | null;
  given_name: string | null;
  family_name: string | null;
  email: string | null;
  title: string | null;
  department: string | null;
  mobile_phone: string | null;
  work_phone: string | null;
  locale: string | null;
  timezone: string | null;
  site_id: string | null;
  site_name: string | null;
  plan: string | null;
  extension: string | null;
  direct_number: string | null;
  visible: boolean;
  created_at: Date;
  updated_at: Date;
  version: number;
}

function toAdminUser(row: Row): AdminUserRow {
  return {
    userId: row.user_id,
    userName: row.user_name,
    externalId: row.external_id,
    status: row.status,
    owner: row.owner,
    source: row.owner === 'idp' ? (row.idp ?? 'idp') : 'admin-console',
    givenName: row.given_name,
    familyName: row.family_name,
    email: row.email,
    title: row.title,
    department: row.department,
    mobilePhone: row.mobile_phone,
    workPhone: row.work_phone,
    locale: row.locale,
    timezone: row.timezone,
    site: row.site_id ? { siteId: row.site_id, name: row.site_name ?? '' } : null,
    license: row.plan ? { plan: row.plan } : null,
    extension: row.extension,
    directNumber: row.direct_number,
    visibleInDirectory: row.visible,
    lockedFields: row.owner === 'idp' ? IDP_LOCKED : [],
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
    version: row.version,
  };
}

/** A prefix for LIKE, with its wildcards escaped. */
export function likePrefix(text: string): string {
  return `${text.toLowerCase().replace(/[\\%_]/g, (character) => `\\${character}`)}%`;
}

export type DirectoryView = 'company' | 'contact-center' | 'switchboard' | 'desk-phone';

export interface DirectoryEntry {
  userId: string;
  name: string;
  givenName: string | null;
  familyName: string | null;
  title: string | null;
  department: string | null;
  site: string | null;
  /** Every view shows the extension, desk phones included. */
  extension: string | null;
  /** The mobile number the IdP sent, shown as the personal contact number. */
  contactNumber?: string | null;
  workPhone?: string | null;
  directNumber?: string | null;
}

/**
 * A name search is planned for its terms at every call (a rare name: the trigram index; a common
 * one: the name order), which a prepared statement's generic plan gets wrong; the rest stay prepared.
 */
function plannedFor(nameTerms: readonly string[]): string {
  return nameTerms.length > 0 ? `${PLANNED_PER_CALL} ` : '';
}

/** Directory searches count their matches up to here; past it, `total` is a lower bound. */
export const DIRECTORY_COUNT_CAP = 1000;

export interface DirectoryPage extends Page<DirectoryEntry> {
  /** False when there are more matches than `total` (counting stopped at the cap). */
  totalIsExact: boolean;
}

export class UserQueries {
  constructor(private readonly dataSource: DataSource) {}

  async list(tenantId: string, filter: AdminUserFilter): Promise<Page<AdminUserRow>> {
    const conditions = ['u.tenant_id = $1'];
    const params: unknown[] = [tenantId];
    // Each word starts the username, the email or a word of the name: "Adele Vance" finds Adele Vance, "ad" finds her too.
    const words = (filter.q ?? '').trim().split(/\s+/).filter(Boolean).slice(0, 5);
    const planned = plannedFor(words);
    for (const word of words) {
      const index = params.push(likePrefix(word));
      conditions.push(
        `(lower(u.user_name) LIKE $${index} OR u.name_key LIKE directory.name_word_prefix($${params.push(word)}) OR lower(coalesce(u.email, '')) LIKE $${index})`,
      );
    }
    if (filter.status) conditions.push(`u.status = $${params.push(filter.status)}`);
    if (filter.siteId) conditions.push(`u.site_id = $${params.push(filter.siteId)}`);
    if (filter.owner) conditions.push(`u.owner = $${params.push(filter.owner)}`);
    if (filter.source) conditions.push(filter.source === 'admin-console' ? `u.owner = 'admin'` : `u.idp = $${params.push(filter.source)}`);
    if (filter.licensed !== undefined) conditions.push(filter.licensed ? 'l.plan IS NOT NULL' : 'l.plan IS NULL');
    const where = conditions.join(' AND ');
    const [{ total }] = (await this.dataSource.query(`${planned}SELECT count(*)::int AS total FROM ${FROM} WHERE ${where}`, params)) as { total: number }[];
    const rows = (await this.dataSource.query(
      `${planned}SELECT ${SELECT} FROM ${FROM} WHERE ${where}
        ORDER BY ${orderByClause(`${filter.descending ? '-' : ''}${filter.sort}`, SORT_COLUMNS, 'u.user_id')}
        OFFSET $${params.length + 1} LIMIT $${params.length + 2}`,
      [...params, filter.offset, filter.limit],
    )) as Row[];
    return { items: rows.map(toAdminUser), total, offset: filter.offset, limit: filter.limit };
  }

  async get(tenantId: string, userId: string): Promise<AdminUserRow | null> {
    const [row] = (await this.dataSource.query(`SELECT ${SELECT} FROM ${FROM} WHERE u.tenant_id = $1 AND u.user_id = $2`, [tenantId, userId])) as Row[];
    return row ? toAdminUser(row) : null;
  }

  async byUserName(tenantId: string, userName: string): Promise<AdminUserRow | null> {
    const [row] = (await this.dataSource.query(`SELECT ${SELECT} FROM ${FROM} WHERE u.tenant_id = $1 AND lower(u.user_name) = lower($2)`, [
      tenantId,
      userName,
    ])) as Row[];
    return row ? toAdminUser(row) : null;
  }

  /** Matches up to the cap, for a page past the end. */
  private async directoryCount(planned: string, where: string, params: unknown[], cap: number): Promise<number> {
    const [{ total }] = (await this.dataSource.query(`${planned}SELECT count(*)::int AS total FROM (SELECT 1 FROM directory.users u WHERE ${where} LIMIT ${cap + 1}) matches`, params)) as {
      total: number;
    }[];
    return total;
  }

  /**
   * The company directory: visible, active users, found by name prefix or number prefix. The
   * desk-phone view shows the same people without their contact numbers.
   * Counting stops past DIRECTORY_COUNT_CAP matches (an app shows "1,000+"), and the count picks
   * the plan: up to the cap, the matches are collected and sorted; past it, the page is read in
   * name order from the directory index, which reaches it after a few rows.
   */
  async directory(
    tenantId: string,
    query: { view: DirectoryView; q?: string; number?: string; extension?: string; offset: number; limit: number },
  ): Promise<DirectoryPage> {
    const conditions = ['u.tenant_id = $1', 'u.visible', `u.status = 'active'`];
    const params: unknown[] = [tenantId];
    const terms = query.q?.trim().split(/\s+/).filter(Boolean).slice(0, 3) ?? [];
    const planned = plannedFor(terms);
    for (const term of terms) {
      // Any word of the name, accents aside; a user without names is listed by username (see
      // `name` below), so found by it too (AddDirectoryNameWords1764463000000).
      conditions.push(`u.name_key LIKE directory.name_word_prefix($${params.push(term)})`);
    }
    // A number or extension with no digit in it matches nobody (not everybody).
    const numberDigits = query.number?.replace(/[^0-9]/g, '');
    if (numberDigits !== undefined) {
      // One index scan per number column instead of an OR across a join, which reads every user.
      const index = params.push(numberDigits === '' ? null : `${numberDigits}%`);
      // Desk phones never show contact numbers, so they cannot find people by them either.
      const contactNumbers =
        query.view === 'desk-phone'
          ? ''
          : `SELECT user_id FROM directory.users WHERE tenant_id = $1 AND mobile_digits LIKE $${index}
        UNION ALL SELECT user_id FROM directory.users WHERE tenant_id = $1 AND work_digits LIKE $${index} UNION ALL `;
      conditions.push(`u.user_id IN (${contactNumbers}SELECT user_id FROM directory.user_telephony WHERE tenant_id = $1 AND direct_digits LIKE $${index})`);
    }
    const extensionDigits = query.extension?.replace(/[^0-9]/g, '');
    if (extensionDigits === '') conditions.push('false');
    else if (extensionDigits) {
      conditions.push(`u.user_id IN (SELECT user_id FROM directory.user_telephony WHERE tenant_id = $1 AND extension LIKE $${params.push(`${extensionDigits}%`)})`);
    }
    const where = conditions.join(' AND ');
    const cap = Math.max(DIRECTORY_COUNT_CAP, query.offset + query.limit);
    const page = `OFFSET $${params.length + 1} LIMIT $${params.length + 2}`;
    const join = 'LEFT JOIN directory.sites s ON s.site_id = u.site_id LEFT JOIN directory.user_telephony t ON t.user_id = u.user_id';
    const columns = 'u.user_id, u.given_name, u.family_name, u.user_name, u.title, u.department, s.name AS site_name, u.mobile_phone, u.work_phone, t.extension, t.direct_number';
    // Up to cap + 1 matches with their sort keys: their number is the total, and when they are all
    // there the page is sorted from them.
    let rows = (await this.dataSource.query(
      `${planned}WITH matches AS MATERIALIZED (
         SELECT u.user_id, lower(u.family_name) AS family_key, lower(u.given_name) AS given_key FROM directory.users u WHERE ${where} LIMIT ${cap + 1}),
       paged AS (SELECT * FROM matches ORDER BY family_key, given_key, user_id ${page})
       SELECT ${columns}, (SELECT count(*) FROM matches)::int AS total
         FROM paged JOIN directory.users u ON u.user_id = paged.user_id ${join}
        ORDER BY paged.family_key, paged.given_key, paged.user_id`,
      [...params, query.offset, query.limit],
    )) as (Row & { total: number })[];
    let total = rows[0]?.total ?? (query.offset === 0 ? 0 : await this.directoryCount(planned, where, params, cap));
    const totalIsExact = total <= cap;
    if (!totalIsExact) {
      total = cap;
      rows = (await this.dataSource.query(
        `${planned}SELECT ${columns} FROM directory.users u ${join} WHERE ${where} ORDER BY lower(u.family_name), lower(u.given_name), u.user_id ${page}`,
        [...params, query.offset, query.limit],
      )) as (Row & { total: number })[];
    }
    const withNumbers = query.view !== 'desk-phone';
    return {
      items: rows.map((row) => ({
        userId: row.user_id,
        name: [row.given_name, row.family_name].filter(Boolean).join(' ') || row.user_name,
        givenName: row.given_name,
        familyName: row.family_name,
        title: row.title,
        department: row.department,
        site: row.site_name,
        extension: row.extension,
        ...(withNumbers ? { contactNumber: row.mobile_phone, workPhone: row.work_phone, directNumber: row.direct_number } : {}),
      })),
      total,
      totalIsExact,
      offset: query.offset,
      limit: query.limit,
    };
  }
}
