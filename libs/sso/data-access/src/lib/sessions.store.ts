import { createHash, createPrivateKey, generateKeyPairSync, randomBytes, randomUUID, type JsonWebKey, type KeyObject } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { returnedRows } from '@identity/platform-event-store';
import type { SsoConfiguration } from '@identity/sso-domain';

export interface SessionRecord {
  sessionId: string;
  tenantId: string;
  userId: string;
  userName: string;
  createdAt: Date;
  expiresAt: Date;
  /** When an access token was last issued for it: idle longer than the idle timeout, it has ended. */
  lastActiveAt: Date;
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
  /** The company's configuration the response was verified against: the session starts only while it is still in force. */
  verifiedAgainst: Pick<SsoConfiguration, 'issuer' | 'adminRole' | 'certificates'>;
}

const SESSION_COLUMNS = `session_id AS "sessionId", tenant_id AS "tenantId", user_id AS "userId", user_name AS "userName",
  created_at AS "createdAt", expires_at AS "expiresAt", last_active_at AS "lastActiveAt", revoked_at AS "revokedAt", revoked_reason AS "revokedReason", console_admin AS "consoleAdmin"`;
const SELECT_SESSION = `SELECT ${SESSION_COLUMNS} FROM sso.sessions`;

/** Ended sessions stay this long after they would have expired anyway. */
export const ENDED_SESSIONS_KEPT_DAYS = 7;

/** Server-side sessions. The browser's cookie holds a random secret; only its SHA-256 is stored. */
export class SessionStore {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Starts a session only if the account is still active and the company still trusts what the
   * response was verified against (SSO on, the same issuer, certificates and admin role) at this
   * instant, in one statement that holds both rows: a deactivation or a configuration change in
   * flight is waited for and then seen, and one that comes after waits and then finds the session
   * to end. Either way no live session is left behind.
   */
  async start(session: NewSession): Promise<{ sessionId: string; secret: string; expiresAt: Date } | null> {
    const secret = randomBytes(32).toString('base64url');
    const sessionId = randomUUID();
    const rows = returnedRows<{ expires_at: Date }>(
      await this.dataSource.query(
        `INSERT INTO sso.sessions (session_id, secret_hash, tenant_id, user_id, user_name, session_index, created_at, expires_at, last_active_at, console_admin)
         SELECT $1, $2, $3, $4, $5, $6, now(), now() + make_interval(secs => $7), now(), $8
           FROM sso.login_accounts a JOIN sso.configurations c ON c.tenant_id = a.tenant_id
          WHERE a.user_id = $4 AND a.tenant_id = $3 AND a.status = 'active'
            AND c.enabled AND c.issuer = $9 AND c.admin_role IS NOT DISTINCT FROM $10 AND c.certificates = $11::jsonb
            FOR SHARE
         RETURNING expires_at`,
        [
          sessionId,
          hashSecret(secret),
          session.tenantId,
          session.userId,
          session.userName,
          session.sessionIndex,
          session.lifetimeSeconds,
          session.consoleAdmin,
          session.verifiedAgainst.issuer,
          session.verifiedAgainst.adminRole ?? null,
          JSON.stringify(session.verifiedAgainst.certificates),
        ],
      ),
    );
    return rows.length === 0 ? null : { sessionId, secret, expiresAt: rows[0].expires_at };
  }

  /**
   * The browser's session, marked as used now, if it is live: not ended, not expired, and used
   * within the last `idleSeconds`. One statement, so that a session that went idle is never revived.
   */
  async use(secret: string, idleSeconds: number): Promise<SessionRecord | null> {
    const rows = returnedRows<SessionRecord>(
      await this.dataSource.query(
        `UPDATE sso.sessions SET last_active_at = now()
          WHERE secret_hash = $1 AND revoked_at IS NULL AND expires_at > now() AND last_active_at > now() - make_interval(secs => $2)
          RETURNING ${SESSION_COLUMNS}`,
        [hashSecret(secret), idleSeconds],
      ),
    );
    return rows[0] ?? null;
  }

  /** The browser's session if it is live, without counting this as a use. */
  async live(secret: string, idleSeconds: number): Promise<SessionRecord | null> {
    const rows = (await this.dataSource.query(
      `${SELECT_SESSION} WHERE secret_hash = $1 AND revoked_at IS NULL AND expires_at > now() AND last_active_at > now() - make_interval(secs => $2)`,
      [hashSecret(secret), idleSeconds],
    )) as SessionRecord[];
    return rows[0] ?? null;
  }

  async bySecret(secret: string): Promise<SessionRecord | null> {
    const rows = (await this.dataSource.query(`${SELECT_SESSION} WHERE secret_hash = $1`, [hashSecret(secret)])) as SessionRecord[];
    return rows[0] ?? null;
  }

  async byId(sessionId: string): Promise<SessionRecord | null> {
    const rows = (await this.dataSource.query(`${SELECT_SESSION} WHERE session_id = $1`, [sessionId])) as SessionRecord[];
    return rows[0] ?? null;
  }

  /** Ends every open session of a company's user, by username (an IdP's logout request names the user, not the session); how many. */
  async endAllOf(tenantId: string, userName: string, reason: string): Promise<number> {
    const ended = (await this.dataSource.query(
      `UPDATE sso.sessions SET revoked_at = now(), revoked_reason = $3 WHERE tenant_id = $1 AND lower(user_name) = lower($2) AND revoked_at IS NULL RETURNING session_id`,
      [tenantId, userName, reason],
    )) as unknown[];
    return (Array.isArray(ended[0]) ? (ended[0] as unknown[]) : ended).length;
  }

  async end(sessionId: string, reason: string): Promise<void> {
    await this.dataSource.query(`UPDATE sso.sessions SET revoked_at = now(), revoked_reason = $2 WHERE session_id = $1 AND revoked_at IS NULL`, [sessionId, reason]);
  }

  /**
   * Sessions that ended (signed out, revoked, idle or expired) are kept a week for investigations,
   * then deleted, a bounded batch at a time: every one has expired by then.
   */
  async purgeEnded(): Promise<number> {
    const rows = returnedRows<{ session_id: string }>(
      await this.dataSource.query(
        `DELETE FROM sso.sessions WHERE session_id IN (
           SELECT session_id FROM sso.sessions WHERE expires_at < now() - make_interval(days => ${ENDED_SESSIONS_KEPT_DAYS}) LIMIT 10000)
         RETURNING session_id`,
      ),
    );
    return rows.length;
  }
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export interface SigningKey {
  keyId: string;
  privateKey: KeyObject;
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
  /** Private keys opened so far, by key id (null: this passphrase cannot open it). */
  private readonly opened = new Map<string, KeyObject | null>();

  /**
   * `passphrase`: new private keys are stored encrypted with it (PKCS#8, AES-256), so that a copy
   * of the database does not let anyone sign tokens; keys stored in the clear before stay readable.
   */
  constructor(
    private readonly dataSource: DataSource,
    private readonly passphrase?: string,
    private readonly warn: (message: string, extra: Record<string, unknown>) => void = () => undefined,
  ) {}

  async current(): Promise<SigningKey> {
    let keys = await this.usable();
    if (keys.length === 0 || keys[0].ageMs > SIGNING_KEY_ROTATION_DAYS * 86_400_000) {
      // Keys this passphrase cannot open (it was changed) do not count: a new one at once, rather than no tokens for a month.
      await this.createSuccessor();
      keys = await this.usable();
      if (keys.length === 0) throw new Error('no token signing key can be opened with SSO_SIGNING_KEY_PASSPHRASE (do all saml-auth pods have the same one?)');
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

  /**
   * Several pods may find the newest key due at once; under the lock, the first creates the
   * successor and the others find a young key they can open. Keys this passphrase cannot open do
   * not count (it was changed). A pod without the passphrase never replaces encrypted keys with one
   * in the clear: it refuses, until it is given the passphrase.
   */
  private async createSuccessor(): Promise<void> {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const keyId = randomUUID();
    const publicJwk = { ...publicKey.export({ format: 'jwk' }), kid: keyId, alg: 'ES256', use: 'sig' };
    const pem = privateKey.export(this.passphrase ? { format: 'pem', type: 'pkcs8', cipher: 'aes-256-cbc', passphrase: this.passphrase } : { format: 'pem', type: 'pkcs8' });
    await this.dataSource.transaction(async (manager) => {
      await manager.query(`SELECT pg_advisory_xact_lock(hashtextextended('sso.signing_keys', 0))`);
      const young = (await manager.query(
        `SELECT key_id AS "keyId", private_key_pem AS "privateKeyPem" FROM sso.signing_keys WHERE created_at > now() - make_interval(days => $1)`,
        [SIGNING_KEY_ROTATION_DAYS],
      )) as { keyId: string; privateKeyPem: string }[];
      if (young.some((key) => this.open(key.keyId, key.privateKeyPem))) return;
      if (!this.passphrase && young.some((key) => isEncrypted(key.privateKeyPem))) {
        throw new Error('the token signing keys are stored encrypted: give this saml-auth SSO_SIGNING_KEY_PASSPHRASE');
      }
      await manager.query(`INSERT INTO sso.signing_keys (key_id, private_key_pem, public_jwk, created_at) VALUES ($1, $2, $3, now())`, [
        keyId,
        pem.toString(),
        JSON.stringify(publicJwk),
      ]);
    });
  }

  /** The newest keys that open, aged by the database's clock (the one `created_at` was set by). */
  private async usable(): Promise<(SigningKey & { ageMs: number })[]> {
    const rows = (await this.dataSource.query(
      `SELECT key_id AS "keyId", private_key_pem AS "privateKeyPem", public_jwk AS "publicJwk",
              (extract(epoch FROM now() - created_at) * 1000)::float8 AS "ageMs"
         FROM sso.signing_keys ORDER BY created_at DESC LIMIT 3`,
    )) as { keyId: string; privateKeyPem: string; publicJwk: JsonWebKey; ageMs: number }[];
    return rows.flatMap(({ privateKeyPem, ...row }) => {
      const privateKey = this.open(row.keyId, privateKeyPem);
      return privateKey ? [{ ...row, privateKey }] : [];
    });
  }

  private open(keyId: string, pem: string): KeyObject | null {
    if (!this.opened.has(keyId)) {
      try {
        this.opened.set(keyId, createPrivateKey(isEncrypted(pem) ? { key: pem, passphrase: this.passphrase ?? '' } : pem));
      } catch {
        this.warn('a token signing key does not open with SSO_SIGNING_KEY_PASSPHRASE; it is not used', { keyId });
        this.opened.set(keyId, null);
      }
    }
    return this.opened.get(keyId)!;
  }
}

function isEncrypted(pem: string): boolean {
  return pem.includes('-----BEGIN ENCRYPTED PRIVATE KEY-----');
}
