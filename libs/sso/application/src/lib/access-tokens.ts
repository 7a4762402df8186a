import { createPrivateKey, createPublicKey, sign, verify, type JsonWebKey } from 'node:crypto';
import type { SessionRecord, SigningKeyStore } from '@identity/sso-data-access';

export interface AccessTokenClaims {
  iss: string;
  sub: string;
  tid: string;
  sid: string;
  name: string;
  /** Present (true) only for console admins: the admin APIs accept such a token for its company. */
  adm?: true;
  iat: number;
  exp: number;
}

/**
 * Short-lived ES256 JWTs for a session. Internal services verify them with the JWKS; the session
 * behind one can still be ended early, which introspection reports.
 */
export class AccessTokens {
  constructor(
    private readonly keys: SigningKeyStore,
    private readonly issuer: string,
    private readonly lifetimeSeconds: number,
  ) {}

  async issue(session: SessionRecord): Promise<{ accessToken: string; tokenType: 'Bearer'; expiresIn: number }> {
    const key = await this.keys.current();
    const now = Math.floor(Date.now() / 1000);
    const expiresAt = Math.min(now + this.lifetimeSeconds, Math.floor(new Date(session.expiresAt).getTime() / 1000));
    const claims: AccessTokenClaims = {
      iss: this.issuer,
      sub: session.userId,
      tid: session.tenantId,
      sid: session.sessionId,
      name: session.userName,
      ...(session.consoleAdmin ? { adm: true as const } : {}),
      iat: now,
      exp: expiresAt,
    };
    const signingInput = `${base64url({ alg: 'ES256', typ: 'JWT', kid: key.keyId })}.${base64url(claims)}`;
    const signature = sign('sha256', Buffer.from(signingInput), { key: createPrivateKey(key.privateKeyPem), dsaEncoding: 'ieee-p1363' });
    return { accessToken: `${signingInput}.${signature.toString('base64url')}`, tokenType: 'Bearer', expiresIn: expiresAt - now };
  }

  /** The claims of a token we signed that has not expired; null for anything else. */
  async verify(token: string): Promise<AccessTokenClaims | null> {
    const parts = token.split('.');
    if (parts.length !== 3 || token.length > 4096) return null;
    const header = decode<{ alg?: string; kid?: string }>(parts[0]);
    if (!header || header.alg !== 'ES256') return null;
    const jwk = (await this.keys.publicKeys()).find((candidate) => candidate.kid === header.kid);
    if (!jwk) return null;
    const valid = verify('sha256', Buffer.from(`${parts[0]}.${parts[1]}`), { key: createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' }), dsaEncoding: 'ieee-p1363' }, Buffer.from(parts[2], 'base64url'));
    const claims = valid ? decode<AccessTokenClaims>(parts[1]) : null;
    if (!claims || claims.iss !== this.issuer || typeof claims.exp !== 'number' || claims.exp <= Math.floor(Date.now() / 1000)) return null;
    return claims;
  }

  async jwks(): Promise<{ keys: JsonWebKey[] }> {
    return { keys: await this.keys.publicKeys() };
  }
}

function base64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function decode<T>(part: string): T | null {
  try {
    const value = JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as unknown;
    return value && typeof value === 'object' ? (value as T) : null;
  } catch {
    return null;
  }
}
