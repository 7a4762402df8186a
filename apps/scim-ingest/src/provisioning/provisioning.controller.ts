import { Body, Controller, Delete, Get, HttpCode, Inject, Param, ParseUUIDPipe, Patch, Post, Put, Query } from '@nestjs/common';
import { ScimSettingsService } from '@identity/identity-application';
import { ScimQueries } from '@identity/identity-data-access';
import { AdminAccess, currentCorrelationId, IssuesCredentials } from '@identity/platform-service';
import { EnableScimDto, ProvisioningLogQuery, RotateTokenDto, ScimSettingsDto, StaleSiteNamesQuery } from './provisioning.dto';

/** The admin console's "User Provisioning Integration" of a tenant, and its provisioning log. */
@Controller('api/v1/tenants/:tenantId/provisioning')
@AdminAccess('tenant')
export class ProvisioningController {
  constructor(
    private readonly settings: ScimSettingsService,
    @Inject(ScimQueries) private readonly queries: ScimQueries,
  ) {}

  @Get()
  describe(@Param('tenantId', ParseUUIDPipe) tenantId: string) {
    return this.settings.describe(tenantId);
  }

  /** Turns SCIM on for an IdP and returns the tenant URL and a new token (shown once). */
  @Put('scim')
  @IssuesCredentials()
  enable(@Param('tenantId', ParseUUIDPipe) tenantId: string, @Body() body: EnableScimDto) {
    return this.settings.enable(tenantId, body.idp, currentCorrelationId());
  }

  @Patch('scim')
  async update(@Param('tenantId', ParseUUIDPipe) tenantId: string, @Body() body: ScimSettingsDto) {
    if (body.userRetrieval !== undefined) await this.settings.setRetrieval(tenantId, body.userRetrieval, currentCorrelationId());
    if (body.newUsersVisibleInDirectory !== undefined) {
      await this.settings.setNewUsersVisibility(tenantId, body.newUsersVisibleInDirectory, currentCorrelationId());
    }
    return this.settings.describe(tenantId);
  }

  @Delete('scim')
  @HttpCode(204)
  async disable(@Param('tenantId', ParseUUIDPipe) tenantId: string) {
    await this.settings.disable(tenantId, currentCorrelationId());
  }

  @Post('scim/token')
  @IssuesCredentials()
  rotate(@Param('tenantId', ParseUUIDPipe) tenantId: string, @Body() body: RotateTokenDto) {
    return this.settings.rotate(tenantId, body.overlapSeconds, currentCorrelationId());
  }

  @Delete('scim/token')
  @HttpCode(204)
  async revoke(@Param('tenantId', ParseUUIDPipe) tenantId: string) {
    await this.settings.revokeTokens(tenantId, currentCorrelationId());
  }

  /** Users whose IdP still sends a site's old name: they sync, but the IdP's mapping should be updated. */
  @Get('stale-site-names')
  staleSiteNames(@Param('tenantId', ParseUUIDPipe) tenantId: string, @Query() query: StaleSiteNamesQuery) {
    return this.queries.staleSiteNames(tenantId, query);
  }

  @Get('logs')
  logs(@Param('tenantId', ParseUUIDPipe) tenantId: string, @Query() query: ProvisioningLogQuery) {
    return this.queries.provisioningLog(tenantId, query);
  }
}
