import { createHash, generateKeyPairSync, randomBytes, randomUUID, type JsonWebKey } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { returnedRows } from '@identity/platform-event-store';

export interface SessionRecord {
  sessionId: string;
  tenantId: string;
  userId: string;
  userName: string;
  createdAt: Date;
  expiresAt: Date;
  revokedAt: Date | null;
  revokedReason: string | null;
  /** Signed in with the company's console admin role: its access tokens open the admin APIs. */
  consoleAdmin: boolean;
}

export interface NewSession {
  tenantId: string;
  userId: string;
  userName: string;
  sessionIndex: string | null;
  lifetimeSeconds: number;
  consoleAdmin: boolean;
}

const SELECT_SESSION = `SELECT session_id AS "sessionId", tenant_id AS "tenantId", user_id AS "userId", user_name AS "userName",
  created_at AS "createdAt", expires_at AS "expiresAt", revoked_at AS "revokedAt", revoked_reason AS "revokedReason", console_admin AS "consoleAdmin" FROM sso.sessions`;

/** Server-side sessions. The browser's cookie holds a random secret; only its SHA-256 is stored. */
export class SessionStore {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Starts a session only if the account is still active at this instant, in one statement, so a
   * deactivation that lands during sign-in cannot leave a live session behind.
   */
  async start(session: NewSession): Promise<{ sessionId: string; secret: string; expiresAt: Date } | null> {
    const secret = randomBytes(32).toString('base64url');
    const sessionId = randomUUID();
    const rows = returnedRows<{ expires_at: Date }>(
      await this.dataSource.query(
        `INSERT INTO sso.sessions (session_id, secret_hash, tenant_id, user_id, user_name, session_index, created_at, expires_at, console_admin)
         SELECT $1, $2, $3, $4, $5, $6, now(), now() + make_interval(secs => $7), $8
           FROM sso.login_accounts WHERE user_id = $4 AND tenant_id = $3 AND status = 'active'
         RETURNING expires_at`,
        [sessionId, hashSecret(secret), session.tenantId, session.userId, session.userName, session.sessionIndex, session.lifetimeSeconds, session.consoleAdmin],
      ),
    );
    return rows.length === 0 ? null : { sessionId, secret, expiresAt: rows[0].expires_at };
  }

  async bySecret(secret: string): Promise<SessionRecord | null> {
    const rows = (await this.dataSource.query(`${SELECT_SESSION} WHERE secret_hash = $1`, [hashSecret(secret)])) as SessionRecord[];
    return rows[0] ?? null;
  }

  async byId(sessionId: string): Promise<SessionRecord | null> {
    const rows = (await this.dataSource.query(`${SELECT_SESSION} WHERE session_id = $1`, [sessionId])) as SessionRecord[];
    return rows[0] ?? null;
  }

  async end(sessionId: string, reason: string): Promise<void> {
    await this.dataSource.query(`UPDATE sso.sessions SET revoked_at = now(), revoked_reason = $2 WHERE session_id = $1 AND revoked_at IS NULL`, [sessionId, reason]);
  }

  async liveSessions(tenantId: string, userId: string): Promise<SessionRecord[]> {
    return (await this.dataSource.query(`${SELECT_SESSION} WHERE tenant_id = $1 AND user_id = $2 AND revoked_at IS NULL AND expires_at > now() ORDER BY created_at DESC`, [
      tenantId,
      userId,
    ])) as SessionRecord[];
  }
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export interface SigningKey {
  keyId: string;
  privateKeyPem: string;
  publicJwk: JsonWebKey;
}

/** A signing key signs for this long; then the next one takes over. */
export const SIGNING_KEY_ROTATION_DAYS = 30;
/**
 * A new key is published this long before it signs, so that every service has fetched it (they
 * refresh the JWKS every five minutes) before the first token it signed arrives.
 */
export const SIGNING_KEY_PUBLISHED_AHEAD_MINUTES = 10;
/** A retired key stays published this long after its successor took over: tokens live an hour at most. */
const RETIRED_KEY_KEPT_DAYS = 1;
/** Keys whose successor took over longer ago than that: none of their tokens can still be valid. */
const RETIRED_KEYS = `
  SELECT key_id FROM (
    SELECT key_id, lag(created_at) OVER (ORDER BY created_at DESC) AS successor_created_at FROM sso.signing_keys
  ) k
  WHERE successor_created_at < now() - make_interval(days => ${RETIRED_KEY_KEPT_DAYS}, mins => ${SIGNING_KEY_PUBLISHED_AHEAD_MINUTES})`;

/**
 * ES256 keys that sign access tokens, shared by every pod through PostgreSQL. The first token
 * creates one. After 30 days the next token creates a successor, published at once and used ten
 * minutes later; the retired key stays published for a day after that, then is deleted with its
 * private part.
 */
export class SigningKeyStore {
  constructor(private readonly dataSource: DataSource) {}

  async current(): Promise<SigningKey> {
    let keys = await this.all();
    if (keys.length === 0 || keys[0].ageMs > SIGNING_KEY_ROTATION_DAYS * 86_400_000) {
      await this.createSuccessor();
      keys = await this.all();
    }
    // The newest key once every service can know it; the first key of all is used at once.
    const ready = keys.find((key) => key.ageMs >= SIGNING_KEY_PUBLISHED_AHEAD_MINUTES * 60_000);
    const { ageMs: _age, ...key } = ready ?? keys[0];
    return key;
  }

  async publicKeys(): Promise<JsonWebKey[]> {
    const rows = (await this.dataSource.query(
      `SELECT public_jwk FROM sso.signing_keys WHERE key_id NOT IN (${RETIRED_KEYS}) ORDER BY created_at DESC`,
    )) as { public_jwk: JsonWebKey }[];
    return rows.map((row) => row.public_jwk);
  }

  /** Retired keys, private part and all, once no token they signed can still be valid. */
  async purgeRetired(): Promise<void> {
    await this.dataSource.query(`DELETE FROM sso.signing_keys WHERE key_id IN (${RETIRED_KEYS})`);
  }

  /** Several pods may find the newest key due at once; the lock lets one of them create the successor. */
  private async createSuccessor(): Promise<void> {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const keyId = randomUUID();
    const publicJwk = { ...publicKey.export({ format: 'jwk' }), kid: keyId, alg: 'ES256', use: 'sig' };
    await this.dataSource.transaction(async (manager) => {
      await manager.query(`SELECT pg_advisory_xact_lock(hashtextextended('sso.signing_keys', 0))`);
      await manager.query(
        `INSERT INTO sso.signing_keys (key_id, private_key_pem, public_jwk, created_at)
         SELECT $1, $2, $3, now() WHERE NOT EXISTS (SELECT 1 FROM sso.signing_keys WHERE created_at > now() - make_interval(days => $4))`,
        [keyId, privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(), JSON.stringify(publicJwk), SIGNING_KEY_ROTATION_DAYS],
      );
    });
  }

  /** The newest keys, aged by the database's clock (the one `created_at` was set by). */
  private async all(): Promise<(SigningKey & { ageMs: number })[]> {
    return (await this.dataSource.query(
      `SELECT key_id AS "keyId", private_key_pem AS "privateKeyPem", public_jwk AS "publicJwk",
              (extract(epoch FROM now() - created_at) * 1000)::float8 AS "ageMs"
         FROM sso.signing_keys ORDER BY created_at DESC LIMIT 3`,
    )) as (SigningKey & { ageMs: number })[];
  }
}
