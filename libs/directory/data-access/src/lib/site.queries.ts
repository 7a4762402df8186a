import type { DataSource } from 'typeorm';
import { orderByClause } from '@identity/platform-event-store';
import type { Page } from '@identity/platform-tenancy';

export interface SiteRow {
  siteId: string;
  name: string;
  formerNames: string[];
  createdAt: string;
}

const SORTS = { name: 'lower(s.name)', createdAt: 's.created_at' } as const;

export class SiteQueries {
  constructor(private readonly dataSource: DataSource) {}

  async list(tenantId: string, options: { offset: number; limit: number; sort: keyof typeof SORTS; descending: boolean }): Promise<Page<SiteRow>> {
    const rows = (await this.dataSource.query(
      `SELECT s.site_id AS "siteId", s.name, s.created_at AS "createdAt",
              coalesce(array_agg(a.alias ORDER BY a.alias) FILTER (WHERE a.alias IS NOT NULL), '{}') AS "formerNames",
              count(*) OVER () AS total
         FROM directory.sites s LEFT JOIN directory.site_aliases a ON a.site_id = s.site_id
        WHERE s.tenant_id = $1
        GROUP BY s.site_id
        ORDER BY ${orderByClause(`${options.descending ? '-' : ''}${options.sort}`, SORTS, 's.site_id')} OFFSET $2 LIMIT $3`,
      [tenantId, options.offset, options.limit],
    )) as (SiteRow & { total: string })[];
    const total = rows.length > 0 ? Number(rows[0].total) : await this.count(tenantId);
    return { items: rows.map(({ total: _total, ...row }) => ({ ...row, createdAt: new Date(row.createdAt).toISOString() })), total, ...options };
  }

  async get(tenantId: string, siteId: string): Promise<SiteRow | null> {
    const page = (await this.dataSource.query(
      `SELECT s.site_id AS "siteId", s.name, s.created_at AS "createdAt",
              coalesce(array_agg(a.alias ORDER BY a.alias) FILTER (WHERE a.alias IS NOT NULL), '{}') AS "formerNames"
         FROM directory.sites s LEFT JOIN directory.site_aliases a ON a.site_id = s.site_id
        WHERE s.tenant_id = $1 AND s.site_id = $2 GROUP BY s.site_id`,
      [tenantId, siteId],
    )) as SiteRow[];
    return page[0] ? { ...page[0], createdAt: new Date(page[0].createdAt).toISOString() } : null;
  }

  /** The site with this exact name now, or that had it before a rename. */
  async named(tenantId: string, name: string): Promise<{ siteId: string; name: string } | null> {
    const [row] = (await this.dataSource.query(
      `SELECT s.site_id AS "siteId", s.name FROM directory.sites s WHERE s.tenant_id = $1 AND s.name = $2
       UNION ALL
       SELECT s.site_id, s.name FROM directory.site_aliases a JOIN directory.sites s ON s.site_id = a.site_id WHERE a.tenant_id = $1 AND a.alias = $2
       LIMIT 1`,
      [tenantId, name],
    )) as { siteId: string; name: string }[];
    return row ?? null;
  }

  private async count(tenantId: string): Promise<number> {
    const [{ n }] = await this.dataSource.query(`SELECT count(*)::int AS n FROM directory.sites WHERE tenant_id = $1`, [tenantId]);
    return n;
  }
}
