import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Put, Query, Req, Res, UseFilters, UseGuards, UseInterceptors } from '@nestjs/common';
import type { Response } from 'express';
import { ScimUsersService } from '@identity/identity-application';
import { userResourceType } from '@identity/identity-data-access';
import { attributeProjection } from '@identity/platform-scim';
import { ScimAuthGuard } from './scim-auth.guard';
import { ScimExceptionFilter } from './scim-exception.filter';
import { caller, ifMatchVersion, listParameters, listResponse, notModified, resourceResponse, responseProjection, SCIM_CONTENT_TYPE, type ScimRequest } from './scim-http';
import { ProvisioningLogInterceptor } from './provisioning-log.interceptor';

/** `/scim/v2/{tenantId}/Users` (RFC 7644), for Azure AD, Okta and any SCIM 2.0 client. */
@Controller('scim/v2/:tenantId/Users')
@UseGuards(ScimAuthGuard)
@UseFilters(ScimExceptionFilter)
@UseInterceptors(ProvisioningLogInterceptor)
export class ScimUsersController {
  constructor(private readonly users: ScimUsersService) {}

  @Post()
  @HttpCode(201)
  async create(@Req() request: ScimRequest, @Body() body: unknown, @Query() query: Record<string, unknown>, @Res({ passthrough: true }) response: Response) {
    const projection = responseProjection(query, userResourceType);
    const result = await this.users.create(caller(request), body);
    response.setHeader('Location', String((result.resource.meta as { location: string }).location));
    return resourceResponse(response, projection, result.resource);
  }

  @Get()
  async list(@Req() request: ScimRequest, @Query() query: Record<string, unknown>, @Res({ passthrough: true }) response: Response) {
    const parameters = listParameters(query);
    const projection = attributeProjection(userResourceType, parameters);
    const { total, resources } = await this.users.list(caller(request), parameters);
    response.type(SCIM_CONTENT_TYPE);
    return listResponse(total, parameters.startIndex, resources.map(projection));
  }

  @Get(':id')
  async get(@Req() request: ScimRequest, @Param('id') id: string, @Query() query: Record<string, unknown>, @Res({ passthrough: true }) response: Response) {
    const projection = responseProjection(query, userResourceType);
    const result = await this.users.get(caller(request), id);
    if (notModified(request, response, result.resource)) return undefined;
    return resourceResponse(response, projection, result.resource);
  }

  @Patch(':id')
  async patch(
    @Req() request: ScimRequest,
    @Param('id') id: string,
    @Body() body: unknown,
    @Query() query: Record<string, unknown>,
    @Res({ passthrough: true }) response: Response,
  ) {
    const projection = responseProjection(query, userResourceType);
    const result = await this.users.patch(caller(request), id, body, ifMatchVersion(request));
    return resourceResponse(response, projection, result.resource);
  }

  @Put(':id')
  async replace(
    @Req() request: ScimRequest,
    @Param('id') id: string,
    @Body() body: unknown,
    @Query() query: Record<string, unknown>,
    @Res({ passthrough: true }) response: Response,
  ) {
    const projection = responseProjection(query, userResourceType);
    const result = await this.users.replace(caller(request), id, body, ifMatchVersion(request));
    return resourceResponse(response, projection, result.resource);
  }

  @Delete(':id')
  @HttpCode(204)
  async delete(@Req() request: ScimRequest, @Param('id') id: string): Promise<void> {
    await this.users.delete(caller(request), id, ifMatchVersion(request));
  }
}
