import { Inject, Injectable } from '@nestjs/common';
import { SERVICE_CONFIG, SERVICE_INFRASTRUCTURE, type ServiceConfig, type ServiceInfrastructure } from '@identity/platform-service';
import { SessionStore, SigningKeyStore, SsoQueries, type SessionRecord } from '@identity/sso-data-access';
import { AccessTokens } from './access-tokens';
import { serviceProviderOf } from './sso.config';

/** Sessions as internal services see them: access tokens, their keys, and introspection. */
@Injectable()
export class SessionsService {
  private readonly store: SessionStore;
  private readonly idleSeconds: number;
  private readonly consoleAdminSeconds: number;
  readonly tokens: AccessTokens;

  constructor(
    @Inject(SERVICE_INFRASTRUCTURE) infrastructure: ServiceInfrastructure,
    @Inject(SERVICE_CONFIG) config: ServiceConfig,
    @Inject(SsoQueries) private readonly queries: SsoQueries,
  ) {
    this.store = new SessionStore(infrastructure.dataSource);
    const passphrase = config.optionalString('SSO_SIGNING_KEY_PASSPHRASE');
    if (!passphrase) infrastructure.logger.warn('SSO_SIGNING_KEY_PASSPHRASE is not set: new token signing keys are stored in PostgreSQL in the clear');
    const signingKeys = new SigningKeyStore(infrastructure.dataSource, passphrase, (message, extra) => infrastructure.logger.error(extra, message));
    const serviceProvider = serviceProviderOf(config);
    this.tokens = new AccessTokens(signingKeys, serviceProvider.entityId, serviceProvider.baseUrl, config.int('SSO_ACCESS_TOKEN_TTL_SECONDS'));
    this.idleSeconds = config.int('SSO_SESSION_IDLE_TIMEOUT_SECONDS');
    this.consoleAdminSeconds = config.int('SSO_CONSOLE_ADMIN_TTL_SECONDS');
  }

  /** The browser's session, if it is still live; using it (for an access token) keeps it from going idle. */
  async use(sessionSecret: string | undefined): Promise<SessionRecord | null> {
    return sessionSecret ? this.store.use(sessionSecret, this.idleSeconds) : null;
  }

  /** The browser's session, if it is still live, for a page to show: not a use, as any site could link to the page. */
  async live(sessionSecret: string | undefined): Promise<SessionRecord | null> {
    return sessionSecret ? this.store.live(sessionSecret, this.idleSeconds) : null;
  }

  /**
   * An access token for a live session, valid no longer than the session would stay live unused;
   * console-admin only while the company still names an admin role and for
   * SSO_CONSOLE_ADMIN_TTL_SECONDS after the sign-in that showed the role. `adminSignInExpired`: a
   * console admin only for want of a newer sign-in, which the console then asks for.
   */
  async issueToken(session: SessionRecord) {
    const consoleAdmin = await this.adminStanding(session);
    const token = await this.tokens.issue({ ...session, expiresAt: this.endsAt(session), consoleAdmin: consoleAdmin === 'admin' });
    return consoleAdmin === 'sign-in-again' ? { ...token, adminSignInExpired: true as const } : token;
  }

  /**
   * RFC 7662-style: a token is active only while its session lives (deactivation and sign-out end it
   * early). `consoleAdmin` says whether the admin APIs may still take it: the admin APIs ask here,
   * so that their access ends with the session, not when the token expires.
   */
  async introspect(token: string) {
    const claims = await this.tokens.verify(token);
    const session = claims ? await this.store.byId(claims.sid) : null;
    if (!claims || !session || session.revokedAt !== null || this.endsAt(session).getTime() <= Date.now()) return { active: false as const };
    return {
      active: true as const,
      sub: claims.sub,
      aud: claims.aud,
      jti: claims.jti,
      tenantId: claims.tid,
      sessionId: claims.sid,
      userName: session.userName,
      consoleAdmin: claims.adm === true && (await this.adminStanding(session)) === 'admin',
      iat: claims.iat,
      exp: claims.exp,
      sessionExpiresAt: session.expiresAt,
      /** When the session ends unless an access token is issued for it before. */
      sessionIdleUntil: new Date(new Date(session.lastActiveAt).getTime() + this.idleSeconds * 1000),
    };
  }

  /** When the session ends if nothing uses it: expiry or the idle timeout, whichever comes first. */
  private endsAt(session: SessionRecord): Date {
    return new Date(Math.min(new Date(session.expiresAt).getTime(), new Date(session.lastActiveAt).getTime() + this.idleSeconds * 1000));
  }

  /**
   * The role came with the sign-in's assertion; SSO switched off or the admin role cleared since
   * takes it away, and so does time: Azure AD says nothing when it takes the role from someone.
   */
  private async adminStanding(session: SessionRecord): Promise<'admin' | 'sign-in-again' | 'none'> {
    if (!session.consoleAdmin) return 'none';
    const configuration = await this.queries.configuration(session.tenantId);
    if (configuration?.enabled !== true || configuration.adminRole === null) return 'none';
    return Date.now() < new Date(session.createdAt).getTime() + this.consoleAdminSeconds * 1000 ? 'admin' : 'sign-in-again';
  }
}
