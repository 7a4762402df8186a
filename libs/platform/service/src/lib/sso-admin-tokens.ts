import { createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import { verifiedEs256Claims } from './es256-jwt';
import { ProblemError } from './problem-details';

const REFRESH_AFTER_MS = 5 * 60_000;
const UNKNOWN_KEY_REFETCH_MS = 30_000;

/**
 * Access tokens saml-auth issues to company admins who signed in with their company's SSO (the
 * `adm` claim comes from the company's admin app role). Verified against saml-auth's published
 * keys, fetched and cached here, so no admin request waits on saml-auth while its keys are known.
 */
export class SsoAdminTokens {
  private keys = new Map<string, KeyObject>();
  private fetchedAt = 0;
  private fetching?: Promise<void>;

  constructor(
    private readonly jwksUrl: string,
    private readonly issuer: string,
  ) {}

  static looksLikeOne(token: string): boolean {
    return /^eyJ[\w-]*\.[\w-]+\.[\w-]+$/.test(token) && token.length < 4096;
  }

  /** The company a valid, unexpired console-admin token is for; null for anything else. */
  async tenantOf(token: string): Promise<string | null> {
    const claims = await verifiedEs256Claims(token, (keyId) => this.key(keyId));
    if (!claims || claims.iss !== this.issuer || claims.adm !== true || typeof claims.tid !== 'string') return null;
    return claims.tid;
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
      // Without saml-auth's keys an SSO token can be neither accepted nor refused: the caller retries.
      if (this.keys.size === 0) throw new ProblemError({ status: 503, title: 'Service Unavailable', detail: 'single sign-on keys are unavailable; retry shortly' });
      return;
    }
    this.keys = new Map((body.keys ?? []).filter((jwk) => typeof jwk.kid === 'string').map((jwk) => [jwk.kid!, createPublicKey({ key: jwk, format: 'jwk' })]));
    this.fetchedAt = Date.now();
  }
}
