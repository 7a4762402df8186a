import { createHash, timingSafeEqual } from 'node:crypto';
import { CanActivate, ExecutionContext, Inject, Injectable, SetMetadata, applyDecorators, UseGuards } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { ProblemError } from './problem-details';
import { ADMIN_TOKEN_VERIFIER, SERVICE_CONFIG, type AdminTokenVerifier } from './tokens';
import type { ServiceConfig } from './config';
import { SsoAdminTokens } from './sso-admin-tokens';
import { isUuid } from './uuid';

export type AdminScope = 'platform' | 'tenant' | 'tenant-api-token';
const SCOPE_KEY = 'identity:admin-scope';

/** The caller behind an admin request: a tenant's is an API token, or the session of an admin who signed in with SSO. */
export type AdminPrincipal = { kind: 'platform' } | { kind: 'tenant'; tenantId: string; via: 'api-token' | 'sso-session' };

export function sha256Hex(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

/**
 * `platform`: only the platform operators' token. `tenant`: the platform token, or an admin token
 * of the tenant named by the route's `tenantId` (an API token, or the access token of an admin who
 * signed in with the company's SSO); any other tenant's token gets 404, as if the tenant did not
 * exist. `tenant-api-token`: as `tenant`, but not a signed-in admin's access token: what such a
 * route makes (a credential: see IssuesCredentials) would outlive the session, and the admin's
 * deactivation with it.
 */
export function AdminAccess(scope: AdminScope) {
  return applyDecorators(SetMetadata(SCOPE_KEY, scope), UseGuards(AdminAuthGuard));
}

/**
 * On a route of a `tenant` controller that issues a credential (an admin API token, a SCIM token,
 * a certificate to trust): refused to the session of an admin who signed in with SSO, since the
 * credential would outlive the session and the admin's deactivation.
 */
export const IssuesCredentials = () => SetMetadata(SCOPE_KEY, 'tenant-api-token' satisfies AdminScope);

/** For a route that issues a credential only in some of its requests (settings that carry a certificate, say). */
export function refuseSignedInSession(request: { principal?: AdminPrincipal }): void {
  if (request.principal?.kind === 'tenant' && request.principal.via === 'sso-session') {
    throw new ProblemError({
      status: 403,
      title: 'Forbidden',
      detail: 'this issues a credential, which would outlive a signed-in session: use an admin API token',
    });
  }
}

@Injectable()
export class AdminAuthGuard implements CanActivate {
  private readonly platformToken: Buffer;
  private readonly ssoTokens: SsoAdminTokens;

  constructor(
    private readonly reflector: Reflector,
    @Inject(SERVICE_CONFIG) config: ServiceConfig,
    @Inject(ADMIN_TOKEN_VERIFIER) private readonly verifier: AdminTokenVerifier,
  ) {
    this.platformToken = Buffer.from(sha256Hex(config.string('PLATFORM_ADMIN_TOKEN')));
    const base = config.string('PUBLIC_BASE_URL').replace(/\/+$/, '');
    this.ssoTokens = new SsoAdminTokens(config.optionalString('SSO_JWKS_URL') ?? `${base}/sso/jwks.json`, `${base}/saml2`, base, config.string('PLATFORM_ADMIN_TOKEN'));
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const scope = this.reflector.getAllAndOverride<AdminScope>(SCOPE_KEY, [context.getHandler(), context.getClass()]);
    const request = context.switchToHttp().getRequest<Request & { principal?: AdminPrincipal }>();
    const token = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
    if (!token) throw unauthorized();
    const hash = sha256Hex(token);
    if (timingSafeEqual(Buffer.from(hash), this.platformToken)) {
      const routeTenant = request.params?.tenantId as string | undefined;
      if (routeTenant !== undefined && !(isUuid(routeTenant) && (await this.verifier.tenantExists(routeTenant)))) {
        throw new ProblemError({ status: 404, title: 'Not Found', detail: 'no such tenant' });
      }
      request.principal = { kind: 'platform' };
      return true;
    }
    const via = SsoAdminTokens.looksLikeOne(token) ? 'sso-session' : 'api-token';
    const tenantId = via === 'sso-session' ? await this.ssoTokens.tenantOf(token) : await this.verifier.tenantOfToken(hash);
    if (!tenantId) throw unauthorized();
    // Another company's resources do not exist for this token, whatever the route's scope.
    const routeTenant = request.params?.tenantId as string | undefined;
    if (routeTenant !== undefined && routeTenant !== tenantId) {
      throw new ProblemError({ status: 404, title: 'Not Found', detail: 'no such tenant' });
    }
    if (scope === 'platform') throw new ProblemError({ status: 403, title: 'Forbidden', detail: 'this needs the platform operators’ token' });
    request.principal = { kind: 'tenant', tenantId, via };
    if (scope === 'tenant-api-token') refuseSignedInSession(request);
    return true;
  }
}

function unauthorized(): ProblemError {
  return new ProblemError({ status: 401, title: 'Unauthorized', detail: 'a valid admin token is required (Authorization: Bearer <token>)' });
}
