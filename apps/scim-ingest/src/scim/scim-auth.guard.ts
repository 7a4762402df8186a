import { createHash } from 'node:crypto';
import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { ScimQueries } from '@identity/identity-data-access';
import { ScimError } from '@identity/platform-scim';
import { currentCorrelationId, isUuid, RateLimiter, SERVICE_CONFIG, type ServiceConfig } from '@identity/platform-service';
import { ScimRateLimited } from './scim-exception.filter';
import type { ScimRequest } from './scim-http';

const unauthorized = () => new ScimError(401, undefined, 'a valid SCIM token of this tenant is required (Authorization: Bearer <token>)');

/**
 * Opens `/scim/v2/{tenantId}` to a live SCIM token of that tenant only (compared by SHA-256, so
 * the token itself is never stored), then applies the tenant's request rate.
 */
@Injectable()
export class ScimAuthGuard implements CanActivate {
  /** Azure AD sends at most about 25 requests/s per provisioning job; the default leaves ample room and stops a runaway client from starving the others. */
  private readonly limiter: RateLimiter;

  constructor(
    @Inject(ScimQueries) private readonly queries: ScimQueries,
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
  ) {
    const rate = config.int('SCIM_RATE_LIMIT_PER_SECOND');
    this.limiter = new RateLimiter(rate, Math.max(rate * 2, 1));
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<ScimRequest>();
    const tenantId = request.params.tenantId as string;
    const token = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
    if (!token || !isUuid(tenantId)) throw unauthorized();
    const hash = createHash('sha256').update(token).digest('hex');
    const settings = await this.queries.settingsForToken(tenantId, hash);
    if (!settings) throw unauthorized();
    request.scimCaller = {
      tenantId,
      idp: settings.idp ?? 'azure-ad',
      retrieval: settings.retrieval,
      newUsersVisible: settings.newUsersVisible,
      baseUrl: `${this.config.string('PUBLIC_BASE_URL').replace(/\/+$/, '')}/scim/v2/${tenantId}`,
      correlationId: currentCorrelationId(),
    };
    // After the caller is known, so that the provisioning log shows the refusal to its tenant.
    const wait = this.limiter.take(tenantId);
    if (wait > 0) throw new ScimRateLimited(wait);
    return true;
  }
}
