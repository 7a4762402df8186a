import { createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import { forAudience, verifiedEs256Claims } from './es256-jwt';
import { ProblemError } from './problem-details';

const REFRESH_AFTER_MS = 5 * 60_000;
const UNKNOWN_KEY_REFETCH_MS = 30_000;
/** After a failed key fetch, the next try waits this long (requests meanwhile use the keys in hand). */
const FAILED_FETCH_RETRY_MS = 10_000;
/** How long a session's answer is reused: sessions end within 5 s of a deactivation or sign-out. */
const SESSION_ANSWER_MS = 2_000;

/**
 * Access tokens saml-auth issues to company admins who signed in with their company's SSO (the
 * `adm` claim comes from the company's admin app role). Verified against saml-auth's published
 * keys, fetched and cached here; then saml-auth's introspection (next to the keys) says whether the
 * session still lives and still carries the admin role, an answer reused for two seconds, so that a
 * deactivated or signed-out admin loses the admin APIs at once rather than when the token expires.
 */
export class SsoAdminTokens {
  private keys = new Map<string, KeyObject>();
  private fetchedAt = 0;
  private fetching?: Promise<void>;
  private readonly introspectionUrl: string;
  private readonly sessionAnswers = new Map<string, { live: boolean; until: number }>();

  constructor(
    private readonly jwksUrl: string,
    private readonly issuer: string,
    private readonly audience: string,
    private readonly platformToken: string,
  ) {
    this.introspectionUrl = new URL('/sso/introspect', jwksUrl).toString();
  }

  static looksLikeOne(token: string): boolean {
    return /^eyJ[\w-]*\.[\w-]+\.[\w-]+$/.test(token) && token.length < 4096;
  }

  /** The company a valid, unexpired console-admin token is for; null for anything else. */
  async tenantOf(token: string): Promise<string | null> {
    const claims = await verifiedEs256Claims(token, (keyId) => this.key(keyId));
    if (!claims || claims.iss !== this.issuer || !forAudience(claims, this.audience) || claims.adm !== true || typeof claims.tid !== 'string' || typeof claims.sid !== 'string') return null;
    return (await this.sessionStillAdmin(token, claims.sid)) ? claims.tid : null;
  }

  private async sessionStillAdmin(token: string, sessionId: string): Promise<boolean> {
    const now = Date.now();
    const known = this.sessionAnswers.get(sessionId);
    if (known && known.until > now) return known.live;
    let answer: { active?: boolean; consoleAdmin?: boolean };
    try {
      const response = await fetch(this.introspectionUrl, {
        method: 'POST',
        headers: { authorization: `Bearer ${this.platformToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ token }),
        signal: AbortSignal.timeout(3000),
      });
      if (!response.ok) throw new Error(`status ${response.status}`);
      answer = (await response.json()) as typeof answer;
    } catch {
      // Whether the session still lives cannot be told: refused for now, the caller retries.
      throw new ProblemError({ status: 503, title: 'Service Unavailable', detail: 'single sign-on sessions cannot be checked right now; retry shortly' });
    }
    const live = answer.active === true && answer.consoleAdmin === true;
    if (this.sessionAnswers.size >= 10_000) this.sessionAnswers.clear();
    this.sessionAnswers.set(sessionId, { live, until: now + SESSION_ANSWER_MS });
    return live;
  }

  private async key(keyId: string): Promise<KeyObject | undefined> {
    const age = Date.now() - this.fetchedAt;
    if (age > REFRESH_AFTER_MS || (!this.keys.has(keyId) && age > UNKNOWN_KEY_REFETCH_MS)) await (this.fetching ??= this.refresh().finally(() => (this.fetching = undefined)));
    return this.keys.get(keyId);
  }

  private async refresh(): Promise<void> {
    let body: { keys?: (JsonWebKey & { kid?: string })[] };
    try {
      const response = await fetch(this.jwksUrl, { signal: AbortSignal.timeout(3000) });
      if (!response.ok) throw new Error(`status ${response.status}`);
      body = (await response.json()) as typeof body;
    } catch {
      // Not again for a while: each admin request would otherwise wait out the timeout while saml-auth is away.
      this.fetchedAt = Date.now() - REFRESH_AFTER_MS + FAILED_FETCH_RETRY_MS;
      // Without saml-auth's keys an SSO token can be neither accepted nor refused: the caller retries.
      if (this.keys.size === 0) throw new ProblemError({ status: 503, title: 'Service Unavailable', detail: 'single sign-on keys are unavailable; retry shortly' });
      return;
    }
    // Only P-256 keys verify ES256; one that does not parse is left out rather than failing every request after it.
    const keys = new Map<string, KeyObject>();
    for (const jwk of Array.isArray(body?.keys) ? body.keys : []) {
      if (typeof jwk?.kid !== 'string' || jwk.kty !== 'EC' || jwk.crv !== 'P-256') continue;
      try {
        keys.set(jwk.kid, createPublicKey({ key: jwk, format: 'jwk' }));
      } catch {
        // left out, as said above
      }
    }
    this.keys = keys;
    this.fetchedAt = Date.now();
  }
}
