import type { DataSource } from 'typeorm';
import type { CacheItem } from '@node-saml/node-saml';
import { returnedRows } from '@identity/platform-event-store';
import type { AuthnRequestStore } from '@identity/platform-saml';

/**
 * The AuthnRequest IDs one company issued, in PostgreSQL so that any pod can take the response.
 * A response's InResponseTo is only found in the store of the company that sent the request.
 */
export class PostgresAuthnRequestStore implements AuthnRequestStore {
  constructor(
    private readonly dataSource: DataSource,
    private readonly tenantId: string,
    private readonly lifetimeMs: number,
  ) {}

  async saveAsync(key: string, value: string): Promise<CacheItem | null> {
    await this.dataSource.query(
      `INSERT INTO sso.authn_requests (request_id, tenant_id, issued_at, expires_at) VALUES ($1, $2, now(), now() + make_interval(secs => $3))
       ON CONFLICT (request_id) DO NOTHING`,
      [key, this.tenantId, this.lifetimeMs / 1000],
    );
    return { value, createdAt: Date.now() };
  }

  async getAsync(key: string): Promise<string | null> {
    const rows = (await this.dataSource.query(
      `SELECT issued_at FROM sso.authn_requests WHERE request_id = $1 AND tenant_id = $2 AND expires_at > now()`,
      [key, this.tenantId],
    )) as { issued_at: Date }[];
    return rows[0] ? rows[0].issued_at.toISOString() : null;
  }

  async removeAsync(key: string | null): Promise<string | null> {
    if (key === null) return null;
    const deleted = returnedRows<{ request_id: string }>(
      await this.dataSource.query(`DELETE FROM sso.authn_requests WHERE request_id = $1 AND tenant_id = $2 RETURNING request_id`, [key, this.tenantId]),
    );
    return deleted[0]?.request_id ?? null;
  }
}

/** Assertion IDs already used: a second use of one, on any pod, is a replay. */
export class ConsumedAssertions {
  constructor(private readonly dataSource: DataSource) {}

  /** True the first time; false for a replay. */
  async consume(tenantId: string, assertionId: string, keepUntil: Date): Promise<boolean> {
    const inserted = returnedRows(
      await this.dataSource.query(
        `INSERT INTO sso.consumed_assertions (tenant_id, assertion_id, expires_at) VALUES ($1, $2, $3)
         ON CONFLICT DO NOTHING RETURNING assertion_id`,
        [tenantId, assertionId, keepUntil],
      ),
    );
    return inserted.length === 1;
  }

  /** Expired request IDs and replay records are useless: the time checks refuse those messages anyway. */
  async purgeExpired(): Promise<void> {
    await this.dataSource.query(`DELETE FROM sso.consumed_assertions WHERE expires_at < now()`);
    await this.dataSource.query(`DELETE FROM sso.authn_requests WHERE expires_at < now()`);
  }
}
