import { createPublicKey, randomUUID, type JsonWebKey } from 'node:crypto';
import { forAudience, signEs256Jwt, verifiedEs256Claims } from '@identity/platform-service';
import type { SessionRecord, SigningKeyStore } from '@identity/sso-data-access';

export interface AccessTokenClaims {
  iss: string;
  /** The platform's origin (PUBLIC_BASE_URL): its APIs are the ones that take the token. */
  aud: string;
  sub: string;
  tid: string;
  sid: string;
  name: string;
  /** Present (true) only for console admins: the admin APIs accept such a token for its company. */
  adm?: true;
  iat: number;
  exp: number;
  /** Unique per token: audit logs and the services that take the token can tell two tokens of one session apart. */
  jti: string;
}

/**
 * Short-lived ES256 JWTs for a session. Internal services verify them with the JWKS; the session
 * behind one can still be ended early, which introspection reports.
 */
export class AccessTokens {
  constructor(
    private readonly keys: SigningKeyStore,
    private readonly issuer: string,
    private readonly audience: string,
    private readonly lifetimeSeconds: number,
  ) {}

  async issue(session: SessionRecord): Promise<{ accessToken: string; tokenType: 'Bearer'; expiresIn: number }> {
    const key = await this.keys.current();
    const now = Math.floor(Date.now() / 1000);
    const expiresAt = Math.min(now + this.lifetimeSeconds, Math.floor(new Date(session.expiresAt).getTime() / 1000));
    const claims: AccessTokenClaims = {
      iss: this.issuer,
      aud: this.audience,
      sub: session.userId,
      tid: session.tenantId,
      sid: session.sessionId,
      name: session.userName,
      ...(session.consoleAdmin ? { adm: true as const } : {}),
      iat: now,
      exp: expiresAt,
      jti: randomUUID(),
    };
    return { accessToken: signEs256Jwt(claims, key.privateKey, key.keyId), tokenType: 'Bearer', expiresIn: expiresAt - now };
  }

  /** The claims of a token we signed that has not expired; null for anything else. */
  async verify(token: string): Promise<AccessTokenClaims | null> {
    const claims = await verifiedEs256Claims(token, async (keyId) => {
      const jwk = (await this.keys.publicKeys()).find((candidate) => candidate.kid === keyId);
      return jwk ? createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' }) : undefined;
    });
    return claims && claims.iss === this.issuer && forAudience(claims, this.audience) ? (claims as unknown as AccessTokenClaims) : null;
  }

  async jwks(): Promise<{ keys: JsonWebKey[] }> {
    return { keys: await this.keys.publicKeys() };
  }
}
