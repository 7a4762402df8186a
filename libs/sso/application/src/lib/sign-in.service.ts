import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import {
  AUTHN_REQUEST_LIFETIME_MS,
  authnRequestUrl,
  decodePostBinding,
  decodeRedirectBinding,
  readLogoutRequest,
  signedRedirectMessage,
  ACCEPTED_CLOCK_SKEW_MS,
  CONTROL_CHARACTERS,
  type LogoutRequestFacts,
  readEnvelope,
  safeRelayPath,
  SamlRejected,
  verifyResponse,
  type VerifiedAssertion,
} from '@identity/platform-saml';
import { Counter } from 'prom-client';
import {
  SERVICE_CONFIG,
  SERVICE_INFRASTRUCTURE,
  SERVICE_LOGGER,
  SERVICE_METRICS,
  type ServiceConfig,
  type ServiceInfrastructure,
  type ServiceMetrics,
} from '@identity/platform-service';
import { ConsumedAssertions, PostgresAuthnRequestStore, SessionStore, SsoQueries } from '@identity/sso-data-access';
import type { SsoConfiguration } from '@identity/sso-domain';
import { serviceProviderOf } from './sso.config';

export const SIGNED_IN_PATH = '/sso/signed-in';
export const SIGNED_OUT_PATH = '/sso/signed-out';
/** How long after it was issued an IdP's LogoutRequest still ends a session at once. */
const LOGOUT_REQUEST_LIFETIME_MS = 5 * 60_000;

export interface SignedIn {
  tenantId: string;
  userId: string;
  sessionSecret: string;
  sessionExpiresAt: Date;
  redirectTo: string;
}

/** SP-initiated and IdP-initiated SAML sign-in, and sign-out. */
@Injectable()
export class SignInService {
  private readonly consumed: ConsumedAssertions;
  private readonly sessions: SessionStore;
  /** Operators alert on a burst of one reason (invalid-signature after a certificate rollover, say). */
  private readonly refusals: Counter<'reason'>;

  constructor(
    @Inject(SERVICE_INFRASTRUCTURE) private readonly infrastructure: ServiceInfrastructure,
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
    @Inject(SsoQueries) private readonly queries: SsoQueries,
    @Inject(SERVICE_METRICS) metrics: ServiceMetrics,
  ) {
    this.consumed = new ConsumedAssertions(infrastructure.dataSource);
    this.sessions = new SessionStore(infrastructure.dataSource);
    this.refusals = new Counter({ name: 'saml_sign_ins_refused_total', help: 'Sign-ins refused, by reason.', labelNames: ['reason'], registers: [metrics.registry] });
  }

  /**
   * The sign-in page: the username finds the company (usernames are platform-wide). An unknown
   * username, a deactivated user and a company without SSO get one and the same page (the log
   * says which): different pages would tell anyone which usernames are users that cannot sign in.
   */
  async startForUserName(userName: string, relayState: unknown): Promise<string> {
    const account = await this.queries.accountByUserName(userName.trim());
    if (!account) throw this.refused(new SamlRejected('unknown-user', 'no account with this username'), null);
    if (account.status !== 'active') throw this.refused(new SamlRejected('inactive-user', 'the account is deactivated'), account.tenantId);
    const configuration = await this.queries.configuration(account.tenantId);
    if (!configuration?.enabled) {
      this.refused(new SamlRejected('sso-disabled', 'single sign-on is not enabled'), account.tenantId);
      throw new SamlRejected('unknown-user', 'single sign-on is not enabled');
    }
    return this.authnRequest(configuration, relayState, account.userName);
  }

  /** The company's sign-on URL (Azure's "Sign on URL", or a bookmark): straight to its IdP. */
  async startForTenant(tenantId: string, relayState: unknown): Promise<string> {
    const configuration = await this.queries.configuration(tenantId);
    if (!configuration?.enabled) throw this.refused(new SamlRejected('sso-disabled', 'single sign-on is not enabled'), tenantId);
    return this.authnRequest(configuration, relayState);
  }

  private authnRequest(configuration: SsoConfiguration, relayState: unknown, loginHint?: string): Promise<string> {
    const requests = new PostgresAuthnRequestStore(this.infrastructure.dataSource, configuration.tenantId, AUTHN_REQUEST_LIFETIME_MS);
    return authnRequestUrl(this.sp(), settingsOf(configuration), requests, safeRelayPath(relayState, SIGNED_IN_PATH), loginHint);
  }

  /** The ACS: every check passes, or nothing happens and the reason is logged. */
  async acceptResponse(samlResponse: unknown, relayState: unknown): Promise<SignedIn> {
    let tenantId: string | null = null;
    try {
      const xml = decodePostBinding(samlResponse);
      const envelope = readEnvelope(xml);
      const { configuration, assertion } = await this.verifyForCandidates(samlResponse as string, envelope, (id) => (tenantId = id));
      tenantId = configuration.tenantId;
      if (!(await this.consumed.consume(tenantId, assertion.assertionId, assertion.replayableUntil))) {
        throw new SamlRejected('replayed', `assertion ${assertion.assertionId} was already used`);
      }
      const account = await this.queries.account(tenantId, assertion.nameId);
      if (!account || account.status === 'deleted') throw new SamlRejected('unknown-user', 'no user of this company has the NameID');
      if (account.status !== 'active') throw new SamlRejected('inactive-user', 'the user is deactivated');
      const session = await this.sessions.start({
        tenantId,
        userId: account.userId,
        userName: account.userName,
        sessionIndex: assertion.sessionIndex,
        lifetimeSeconds: this.config.int('SSO_SESSION_TTL_SECONDS'),
        consoleAdmin: configuration.adminRole !== null && assertion.claims.roles.includes(configuration.adminRole),
        verifiedAgainst: configuration,
      });
      if (!session) throw new SamlRejected('inactive-user', 'the user was deactivated, or the company changed its SSO configuration, during sign-in');
      this.logger.info({ tenantId, userId: account.userId, sessionId: session.sessionId, idpInitiated: assertion.inResponseTo === null }, 'SAML sign-in');
      return { tenantId, userId: account.userId, sessionSecret: session.secret, sessionExpiresAt: session.expiresAt, redirectTo: safeRelayPath(relayState, SIGNED_IN_PATH) };
    } catch (error) {
      throw error instanceof SamlRejected ? this.refused(error, tenantId) : error;
    }
  }

  /** Ends our session; where the company set a sign-out page (Azure's wsignout1.0), the browser goes on there. */
  async signOut(sessionSecret: string | undefined): Promise<string> {
    const session = sessionSecret ? await this.sessions.bySecret(sessionSecret) : null;
    if (!session) return SIGNED_OUT_PATH;
    await this.sessions.end(session.sessionId, 'signed-out');
    this.logger.info({ tenantId: session.tenantId, sessionId: session.sessionId }, 'signed out');
    const configuration = await this.queries.configuration(session.tenantId);
    return configuration?.signOutUrl ?? SIGNED_OUT_PATH;
  }

  /**
   * A LogoutRequest or LogoutResponse from the IdP over the Redirect binding (Azure sends those as
   * GET), read only within the limits. It ends the browser's session at once only when it is a
   * LogoutRequest signed by that session's company's IdP, for this session's user, issued within
   * the last minutes and never seen before: any page could link to an unsigned one, or to one that
   * signed someone else out. Otherwise the employee confirms (`confirm`), as on a sign-out link from elsewhere.
   */
  async signOutFromIdp(message: unknown, rawQuery: string, sessionSecret: string | undefined): Promise<{ signedOut: string } | 'confirm'> {
    let xml: string;
    try {
      xml = decodeRedirectBinding(message);
      if (!/^\s*(<\?xml[^>]*\?>\s*)?<(\w+:)?Logout(Request|Response)[\s>]/.test(xml)) throw new SamlRejected('malformed', 'not a logout message');
    } catch (error) {
      throw error instanceof SamlRejected ? this.refused(error, null) : error;
    }
    const session = sessionSecret ? await this.sessions.bySecret(sessionSecret) : null;
    if (!session) {
      await this.signOutWithoutCookie(xml, rawQuery);
      return { signedOut: SIGNED_OUT_PATH };
    }
    const refusal = await this.idpLogoutRefusal(rawQuery, session);
    if (refusal) {
      this.logger.info({ tenantId: session.tenantId, sessionId: session.sessionId, reason: refusal }, 'IdP logout message not trusted: the employee confirms the sign-out');
      return 'confirm';
    }
    await this.sessions.end(session.sessionId, 'signed-out');
    this.logger.info({ tenantId: session.tenantId, sessionId: session.sessionId }, 'signed out by the IdP');
    return { signedOut: SIGNED_OUT_PATH };
  }

  /**
   * A logout request that arrives without our cookie (Azure AD may send it from a frame of its own
   * sign-out page, where a SameSite=Lax cookie does not go): when a company's IdP signed it, it ends
   * that user's sessions in that company, as the IdP asks. Anything else ends nothing.
   */
  private async signOutWithoutCookie(xml: string, rawQuery: string): Promise<void> {
    let unsigned: LogoutRequestFacts;
    try {
      // Read unsigned only to find the companies to check: each checks the signature with its own certificates.
      unsigned = readLogoutRequest(xml);
    } catch (error) {
      if (error instanceof SamlRejected) return;
      throw error;
    }
    if (!unsigned.issuer || CONTROL_CHARACTERS.test(unsigned.issuer) || CONTROL_CHARACTERS.test(unsigned.nameId)) return;
    const candidates = new Map<string, SsoConfiguration>();
    for (const issuer of issuerSpellings(unsigned.issuer)) {
      for (const configuration of await this.queries.enabledConfigurationsByIssuer(issuer, unsigned.nameId)) candidates.set(configuration.tenantId, configuration);
    }
    for (const configuration of candidates.values()) {
      const trusted = await this.trustedLogoutRequest(rawQuery, configuration.tenantId);
      if (!('request' in trusted)) continue;
      const ended = await this.sessions.endAllOf(configuration.tenantId, trusted.request.nameId, 'signed-out');
      this.logger.info({ tenantId: configuration.tenantId, sessions: ended }, 'signed out by the IdP (without the session cookie)');
      return;
    }
  }

  /** Why a logout message may not end this session at once, or null when it may. */
  private async idpLogoutRefusal(rawQuery: string, session: { tenantId: string; userName: string }): Promise<string | null> {
    const trusted = await this.trustedLogoutRequest(rawQuery, session.tenantId, session.userName);
    return 'refusal' in trusted ? trusted.refusal : null;
  }

  /**
   * A LogoutRequest the company's IdP signed, for us, issued within the last minutes, never seen
   * before (used up here), and for `userName` when given; else why not.
   */
  private async trustedLogoutRequest(rawQuery: string, tenantId: string, userName?: string): Promise<{ request: LogoutRequestFacts } | { refusal: string }> {
    const certificates = (await this.queries.configuration(tenantId))?.certificates.map((certificate) => certificate.pem) ?? [];
    const signed = signedRedirectMessage(rawQuery, certificates);
    if (!signed || signed.name !== 'SAMLRequest') return { refusal: 'not a LogoutRequest signed by the company’s IdP' };
    let request: LogoutRequestFacts;
    try {
      request = readLogoutRequest(decodeRedirectBinding(signed.value));
    } catch (error) {
      if (error instanceof SamlRejected) return { refusal: error.detail };
      throw error;
    }
    if (userName !== undefined && request.nameId.toLowerCase() !== userName.toLowerCase()) return { refusal: 'for another user' };
    if (request.destination !== null && request.destination !== this.sp().acsUrl && request.destination !== `${this.sp().baseUrl}/sso/logout`) return { refusal: `for ${request.destination}` };
    const now = Date.now();
    if (request.issuedAt > now + ACCEPTED_CLOCK_SKEW_MS || request.issuedAt < now - LOGOUT_REQUEST_LIFETIME_MS) return { refusal: 'issued too long ago, or in the future' };
    const keepUntil = new Date(request.issuedAt + LOGOUT_REQUEST_LIFETIME_MS + ACCEPTED_CLOCK_SKEW_MS);
    if (!(await this.consumed.consume(tenantId, `logout:${request.id}`, keepUntil))) return { refusal: 'already used' };
    return { request };
  }

  sp() {
    return serviceProviderOf(this.config);
  }

  /**
   * The company a response belongs to: the one whose request it answers (SP-initiated) or, when
   * unsolicited, those whose enabled SSO trusts its issuer. Each candidate verifies with its own
   * certificates only; several companies sharing one Azure AD and one certificate are told apart
   * by which of them has the user.
   */
  private async verifyForCandidates(samlResponse: string, envelope: ReturnType<typeof readEnvelope>, onTenant: (tenantId: string) => void) {
    let candidates: SsoConfiguration[];
    if (envelope.inResponseTo) {
      const tenantId = await this.queries.tenantOfRequest(envelope.inResponseTo);
      if (!tenantId) throw new SamlRejected('unknown-request', `InResponseTo ${envelope.inResponseTo} is not a pending request of ours`);
      onTenant(tenantId);
      const configuration = await this.queries.configuration(tenantId);
      if (!configuration?.enabled) throw new SamlRejected('sso-disabled', 'single sign-on was disabled');
      candidates = [configuration];
    } else {
      if (!envelope.issuer) throw new SamlRejected('unknown-tenant', 'an unsolicited response without an issuer');
      candidates = await this.queries.enabledConfigurationsByIssuer(envelope.issuer, envelope.nameIdHint);
      if (candidates.length === 0) throw new SamlRejected('unknown-tenant', `no company trusts issuer ${envelope.issuer}`);
      if (candidates.length === 1) onTenant(candidates[0].tenantId);
    }
    const verified: { configuration: SsoConfiguration; assertion: VerifiedAssertion }[] = [];
    let firstFailure: SamlRejected | undefined;
    for (const configuration of candidates) {
      const assertion = await this.verifiedFor(configuration, samlResponse, envelope);
      if (assertion instanceof SamlRejected) {
        firstFailure ??= assertion;
        continue;
      }
      const candidate = { configuration, assertion };
      if (candidates.length === 1) return candidate;
      // Usernames are platform-wide: the company with a live account of the signed name is the one.
      // A deleted account freed its name for another company, so it tells nothing.
      const account = await this.queries.account(configuration.tenantId, candidate.assertion.nameId);
      if (account && account.status !== 'deleted') {
        // For a moment two companies can both hold the name (one renamed its user, and that has not
        // reached sign-in yet): when the response also verifies for another of them, it is refused.
        const others = candidates.filter((other) => other !== configuration);
        const holders = await this.queries.tenantsWithLiveAccount(candidate.assertion.nameId, others.map((other) => other.tenantId));
        for (const other of others.filter((entry) => holders.has(entry.tenantId))) {
          if (!((await this.verifiedFor(other, samlResponse, envelope)) instanceof SamlRejected)) throw new SamlRejected('unknown-user', 'two companies sharing the issuer have the user');
        }
        return candidate;
      }
      verified.push(candidate);
    }
    if (verified.length === 0) throw firstFailure!;
    if (verified.length === 1) return verified[0];
    throw new SamlRejected('unknown-user', `none of the ${verified.length} companies sharing the issuer has the user`);
  }

  /** The response's assertion as verified with one company's own IdP settings, or why it does not verify with them. */
  private async verifiedFor(configuration: SsoConfiguration, samlResponse: string, envelope: ReturnType<typeof readEnvelope>): Promise<VerifiedAssertion | SamlRejected> {
    const requests = new PostgresAuthnRequestStore(this.infrastructure.dataSource, configuration.tenantId, AUTHN_REQUEST_LIFETIME_MS);
    try {
      return await verifyResponse(this.sp(), settingsOf(configuration), requests, samlResponse, envelope);
    } catch (error) {
      if (error instanceof SamlRejected) return error;
      throw error;
    }
  }

  private refused(error: SamlRejected, tenantId: string | null): SamlRejected {
    this.refusals.inc({ reason: error.reason });
    this.logger.warn({ tenantId, reason: error.reason, detail: error.detail }, 'SAML sign-in refused');
    return error;
  }
}

/**
 * The issuers one Azure AD tenant signs as: assertions say `https://sts.windows.net/<tenant>/`
 * (what admins configure), its logout messages `https://login.microsoftonline.com/<tenant>/`.
 * Only to find whose certificates to try: the signature decides.
 */
export function issuerSpellings(issuer: string): string[] {
  const azure = /^https:\/\/(?:sts\.windows\.net|login\.microsoftonline\.com)\/([0-9a-f-]{36})\/$/i.exec(issuer);
  return azure ? [`https://sts.windows.net/${azure[1]}/`, `https://login.microsoftonline.com/${azure[1]}/`] : [issuer];
}

function settingsOf(configuration: SsoConfiguration) {
  return { signInUrl: configuration.signInUrl!, issuer: configuration.issuer!, certificates: configuration.certificates.map((certificate) => certificate.pem) };
}
