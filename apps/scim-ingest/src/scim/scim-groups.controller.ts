import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Put, Query, Req, Res, UseFilters, UseGuards, UseInterceptors } from '@nestjs/common';
import type { Response } from 'express';
import { ScimGroupsService } from '@identity/identity-application';
import { groupResourceType } from '@identity/identity-data-access';
import { attributeProjection, includesCoreAttribute } from '@identity/platform-scim';
import { ScimAuthGuard } from './scim-auth.guard';
import { ScimExceptionFilter } from './scim-exception.filter';
import { caller, ifMatchVersion, listParameters, listResponse, notModified, resourceResponse, responseProjection, SCIM_CONTENT_TYPE, selectionParameters, type ScimRequest } from './scim-http';
import { ProvisioningLogInterceptor } from './provisioning-log.interceptor';

/** Whether a response includes members: not when excluded (Azure always excludes them) or not asked for. */
function wantsMembers(parameters: { attributes?: string; excludedAttributes?: string }): boolean {
  return includesCoreAttribute('members', groupResourceType, parameters);
}

/** `/scim/v2/{tenantId}/Groups`: membership PATCHes cost what they change. */
@Controller('scim/v2/:tenantId/Groups')
@UseGuards(ScimAuthGuard)
@UseFilters(ScimExceptionFilter)
@UseInterceptors(ProvisioningLogInterceptor)
export class ScimGroupsController {
  constructor(private readonly groups: ScimGroupsService) {}

  @Post()
  @HttpCode(201)
  async create(@Req() request: ScimRequest, @Body() body: unknown, @Query() query: Record<string, unknown>, @Res({ passthrough: true }) response: Response) {
    const projection = responseProjection(query, groupResourceType);
    const result = await this.groups.create(caller(request), body);
    response.setHeader('Location', String((result.resource.meta as { location: string }).location));
    return resourceResponse(response, projection, result.resource);
  }

  @Get()
  async list(@Req() request: ScimRequest, @Query() query: Record<string, unknown>, @Res({ passthrough: true }) response: Response) {
    const parameters = listParameters(query);
    const projection = attributeProjection(groupResourceType, parameters);
    const { total, resources } = await this.groups.list(caller(request), parameters, wantsMembers(parameters));
    response.type(SCIM_CONTENT_TYPE);
    return listResponse(total, parameters.startIndex, resources.map(projection));
  }

  @Get(':id')
  async get(@Req() request: ScimRequest, @Param('id') id: string, @Query() query: Record<string, unknown>, @Res({ passthrough: true }) response: Response) {
    const parameters = selectionParameters(query);
    const projection = responseProjection(query, groupResourceType);
    const result = await this.groups.get(caller(request), id, wantsMembers(parameters));
    if (notModified(request, response, result.resource)) return undefined;
    return resourceResponse(response, projection, result.resource);
  }

  /**
   * 204, as Azure AD expects of a group PATCH (reading back a large group's members costs what the
   * change did not); 200 with the group when the request names `attributes` or
   * `excludedAttributes`, as RFC 7644 §3.5.2 requires then.
   */
  @Patch(':id')
  @HttpCode(204)
  async patch(
    @Req() request: ScimRequest,
    @Param('id') id: string,
    @Body() body: unknown,
    @Query() query: Record<string, unknown>,
    @Res({ passthrough: true }) response: Response,
  ) {
    const parameters = selectionParameters(query);
    const projection = responseProjection(query, groupResourceType);
    const version = await this.groups.patch(caller(request), id, body, ifMatchVersion(request));
    response.setHeader('ETag', `W/"${version}"`);
    if (parameters.attributes === undefined && parameters.excludedAttributes === undefined) return { id };
    const result = await this.groups.get(caller(request), id, wantsMembers(parameters));
    response.status(200);
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
    const projection = responseProjection(query, groupResourceType);
    const result = await this.groups.replace(caller(request), id, body, ifMatchVersion(request));
    return resourceResponse(response, projection, result.resource);
  }

  @Delete(':id')
  @HttpCode(204)
  async delete(@Req() request: ScimRequest, @Param('id') id: string): Promise<void> {
    await this.groups.delete(caller(request), id, ifMatchVersion(request));
  }
}
