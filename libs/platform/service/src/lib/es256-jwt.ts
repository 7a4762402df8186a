import { sign, verify, type KeyObject } from 'node:crypto';

/**
 * The one way the platform signs and checks its access tokens: compact JWS with ES256 and a key
 * id (saml-auth signs; saml-auth and every admin API verify).
 */
export function signEs256Jwt(claims: object, privateKey: KeyObject, keyId: string): string {
  const signingInput = `${base64url({ alg: 'ES256', typ: 'JWT', kid: keyId })}.${base64url(claims)}`;
  const signature = sign('sha256', Buffer.from(signingInput), { key: privateKey, dsaEncoding: 'ieee-p1363' });
  return `${signingInput}.${signature.toString('base64url')}`;
}

/** The claims of a well-formed, correctly signed, unexpired token; null for anything else. */
export async function verifiedEs256Claims(token: string, publicKeyOf: (keyId: string) => Promise<KeyObject | undefined>): Promise<Record<string, unknown> | null> {
  const parts = token.split('.');
  if (parts.length !== 3 || token.length > 4096) return null;
  const header = decode(parts[0]);
  if (header?.alg !== 'ES256' || typeof header.kid !== 'string') return null;
  const key = await publicKeyOf(header.kid);
  if (!key || !verify('sha256', Buffer.from(`${parts[0]}.${parts[1]}`), { key, dsaEncoding: 'ieee-p1363' }, Buffer.from(parts[2], 'base64url'))) return null;
  const claims = decode(parts[1]);
  if (!claims || typeof claims.exp !== 'number' || claims.exp * 1000 <= Date.now()) return null;
  return claims;
}

/**
 * Whether a token is for this audience. Tokens issued before tokens named one have none, and are
 * taken until they expire (SSO_ACCESS_TOKEN_TTL_SECONDS), so that an upgrade signs no one out.
 */
export function forAudience(claims: Record<string, unknown>, audience: string): boolean {
  return claims.aud === undefined || claims.aud === audience;
}

function base64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function decode(part: string): Record<string, unknown> | null {
  try {
    const value = JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as unknown;
    return value && typeof value === 'object' ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
