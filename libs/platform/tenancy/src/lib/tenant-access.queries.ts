import type { DataSource } from 'typeorm';
import { orderByClause } from '@identity/platform-event-store';

export interface TenantRow {
  tenantId: string;
  name: string;
  createdAt: string;
}

export interface Page<T> {
  items: T[];
  total: number;
  offset: number;
  limit: number;
}

export const TENANT_SORTS = { name: 'lower(name)', createdAt: 'created_at' } as const;
export const TOKEN_SORTS = { issuedAt: 'issued_at', label: 'lower(label)', revokedAt: 'revoked_at' } as const;

/** Reads of a service's tenant-access read model; also its admin-token verifier. */
export class TenantAccessQueries {
  constructor(
    private readonly dataSource: DataSource,
    private readonly schema: string,
  ) {}

  async list(offset: number, limit: number, sort = 'name'): Promise<Page<TenantRow>> {
    const rows = (await this.dataSource.query(
      `SELECT tenant_id AS "tenantId", name, created_at AS "createdAt", count(*) OVER () AS total
         FROM ${this.schema}.tenants ORDER BY ${orderByClause(sort, TENANT_SORTS, 'tenant_id')} OFFSET $1 LIMIT $2`,
      [offset, limit],
    )) as (TenantRow & { total: string })[];
    const total =
      rows.length > 0 ? Number(rows[0].total) : Number((await this.dataSource.query(`SELECT count(*) AS n FROM ${this.schema}.tenants`))[0].n);
    return { items: rows.map(({ total: _total, ...row }) => ({ ...row, createdAt: new Date(row.createdAt).toISOString() })), total, offset, limit };
  }

  async get(tenantId: string): Promise<TenantRow | null> {
    const [row] = (await this.dataSource.query(
      `SELECT tenant_id AS "tenantId", name, created_at AS "createdAt" FROM ${this.schema}.tenants WHERE tenant_id = $1`,
      [tenantId],
    )) as TenantRow[];
    return row ? { ...row, createdAt: new Date(row.createdAt).toISOString() } : null;
  }

  async tokens(
    tenantId: string,
    page: { offset: number; limit: number; sort: string } = { offset: 0, limit: 500, sort: 'issuedAt' },
  ): Promise<Page<{ tokenId: string; label: string; issuedAt: string; revokedAt: string | null }>> {
    const rows = (await this.dataSource.query(
      `SELECT token_id AS "tokenId", label, issued_at AS "issuedAt", revoked_at AS "revokedAt", count(*) OVER () AS total FROM ${this.schema}.admin_tokens
        WHERE tenant_id = $1 ORDER BY ${orderByClause(page.sort, TOKEN_SORTS, 'token_id')} OFFSET $2 LIMIT $3`,
      [tenantId, page.offset, page.limit],
    )) as { tokenId: string; label: string; issuedAt: Date; revokedAt: Date | null; total: string }[];
    const total =
      rows.length > 0 ? Number(rows[0].total) : Number((await this.dataSource.query(`SELECT count(*) AS n FROM ${this.schema}.admin_tokens WHERE tenant_id = $1`, [tenantId]))[0].n);
    return {
      items: rows.map(({ total: _total, ...row }) => ({ ...row, issuedAt: new Date(row.issuedAt).toISOString(), revokedAt: row.revokedAt ? new Date(row.revokedAt).toISOString() : null })),
      total,
      offset: page.offset,
      limit: page.limit,
    };
  }

  async tenantExists(tenantId: string): Promise<boolean> {
    const rows = await this.dataSource.query(`SELECT 1 FROM ${this.schema}.tenants WHERE tenant_id = $1`, [tenantId]);
    return rows.length > 0;
  }

  async tenantOfToken(tokenHash: string): Promise<string | null> {
    const [row] = (await this.dataSource.query(
      `SELECT tenant_id AS "tenantId" FROM ${this.schema}.admin_tokens WHERE token_hash = $1 AND revoked_at IS NULL`,
      [tokenHash],
    )) as { tenantId: string }[];
    return row?.tenantId ?? null;
  }
}
