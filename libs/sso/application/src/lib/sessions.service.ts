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
    this.tokens = new AccessTokens(signingKeys, serviceProviderOf(config).entityId, config.int('SSO_ACCESS_TOKEN_TTL_SECONDS'));
    this.idleSeconds = config.int('SSO_SESSION_IDLE_TIMEOUT_SECONDS');
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
   * console-admin only while the company still names an admin role.
   */
  async issueToken(session: SessionRecord) {
    return this.tokens.issue({ ...session, expiresAt: this.endsAt(session), consoleAdmin: await this.stillConsoleAdmin(session) });
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
      tenantId: claims.tid,
      sessionId: claims.sid,
      userName: session.userName,
      consoleAdmin: claims.adm === true && (await this.stillConsoleAdmin(session)),
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

  /** The role came with the sign-in's assertion; SSO switched off or the admin role cleared since takes it away. */
  private async stillConsoleAdmin(session: SessionRecord): Promise<boolean> {
    if (!session.consoleAdmin) return false;
    const configuration = await this.queries.configuration(session.tenantId);
    return configuration?.enabled === true && configuration.adminRole !== null;
  }
}
