import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';
import { SERVICE_INFRASTRUCTURE, SERVICE_LOGGER, type ServiceInfrastructure } from '@identity/platform-service';
import { ConsumedAssertions, SessionStore, SigningKeyStore } from '@identity/sso-data-access';

/** Every pod purges; the deletes are idempotent, so several doing it at once costs nothing but a statement. */
export const SIGN_IN_PURGE_INTERVAL_MS = 60_000;

/**
 * Anyone can start a sign-in (the company's sign-on URL is public), and each start stores a request
 * ID; every sign-in stores its assertion ID against replay. Both are useless once expired, so they
 * are purged every minute and the tables hold at most ten minutes of sign-ins. Retired token
 * signing keys go too, private parts and all, and sessions a week after they expired.
 */
@Injectable()
export class SignInHousekeeping implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly consumed: ConsumedAssertions;
  private readonly signingKeys: SigningKeyStore;
  private readonly sessions: SessionStore;
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    @Inject(SERVICE_INFRASTRUCTURE) infrastructure: ServiceInfrastructure,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
  ) {
    this.consumed = new ConsumedAssertions(infrastructure.dataSource);
    this.signingKeys = new SigningKeyStore(infrastructure.dataSource);
    this.sessions = new SessionStore(infrastructure.dataSource);
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.purge(), SIGN_IN_PURGE_INTERVAL_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  purge(): Promise<void> {
    this.running ??= Promise.all([this.consumed.purgeExpired(), this.signingKeys.purgeRetired(), this.sessions.purgeEnded()])
      .then(() => undefined)
      .catch((error: unknown) => this.logger.warn({ err: error }, 'purging expired sign-in records, retired signing keys or ended sessions failed; next try in a minute'))
      .finally(() => (this.running = undefined));
    return this.running;
  }
}
