import { Body, Controller, Delete, Get, Param, ParseUUIDPipe, Post, Put, Req } from '@nestjs/common';
import type { Request } from 'express';
import { SsoConfigurationService } from '@identity/sso-application';
import { AdminAccess, IssuesCredentials, ProblemError, currentCorrelationId, refuseSignedInSession, type AdminPrincipal } from '@identity/platform-service';
import { SsoSettingsDto } from './sso-settings.dto';

/** `/api/v1/tenants/{tenantId}/sso`: the admin console's "Single Sign-On Integration". */
@Controller('api/v1/tenants/:tenantId/sso')
@AdminAccess('tenant')
export class SsoSettingsController {
  constructor(private readonly configuration: SsoConfigurationService) {}

  @Get()
  describe(@Param('tenantId', ParseUUIDPipe) tenantId: string) {
    return this.configuration.describe(tenantId);
  }

  @Put()
  configure(@Param('tenantId', ParseUUIDPipe) tenantId: string, @Body() body: SsoSettingsDto, @Req() request: Request & { principal?: AdminPrincipal }) {
    // A certificate to trust is a credential: an admin who signed in with SSO could keep signing in on it after leaving.
    if (body.certificateFile !== undefined) refuseSignedInSession(request);
    return this.configuration.configure(
      tenantId,
      {
        enabled: body.enabled,
        idp: body.idp,
        signInUrl: body.signInUrl ?? null,
        issuer: body.issuer ?? null,
        signOutUrl: body.signOutUrl ?? null,
        adminRole: body.adminRole ?? null,
      },
      currentCorrelationId(),
      body.certificateFile === undefined ? undefined : Buffer.from(body.certificateFile, 'base64'),
    );
  }

  /** The certificate file exactly as downloaded from Azure AD, as the request body (any content type). */
  @Post('certificates')
  @IssuesCredentials()
  addCertificate(@Param('tenantId', ParseUUIDPipe) tenantId: string, @Body() upload: unknown) {
    if (!Buffer.isBuffer(upload)) throw new ProblemError({ status: 400, title: 'certificate-missing', detail: 'send the certificate file as the request body' });
    return this.configuration.addCertificate(tenantId, upload, currentCorrelationId());
  }

  @Delete('certificates/:thumbprint')
  removeCertificate(@Param('tenantId', ParseUUIDPipe) tenantId: string, @Param('thumbprint') thumbprint: string) {
    return this.configuration.removeCertificate(tenantId, thumbprint, currentCorrelationId());
  }
}
