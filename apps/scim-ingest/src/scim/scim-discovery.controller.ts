import { All, Controller, Get, Param, Req, Res, UseFilters, UseGuards, UseInterceptors } from '@nestjs/common';
import type { Response } from 'express';
import { groupResourceType, userResourceType } from '@identity/identity-data-access';
import { resourceTypeDocument, schemaDocument, ScimError } from '@identity/platform-scim';
import { ScimAuthGuard } from './scim-auth.guard';
import { ScimExceptionFilter } from './scim-exception.filter';
import { ProvisioningLogInterceptor } from './provisioning-log.interceptor';
import { caller, listResponse, MAX_PAGE, SCIM_CONTENT_TYPE, type ScimRequest } from './scim-http';

const RESOURCE_TYPES = [userResourceType, groupResourceType];

/** RFC 7644 §4 discovery, describing exactly what this endpoint supports. */
@Controller('scim/v2/:tenantId')
@UseGuards(ScimAuthGuard)
@UseFilters(ScimExceptionFilter)
@UseInterceptors(ProvisioningLogInterceptor)
export class ScimDiscoveryController {
  @Get('ServiceProviderConfig')
  serviceProviderConfig(@Req() request: ScimRequest, @Res({ passthrough: true }) response: Response) {
    response.type(SCIM_CONTENT_TYPE);
    return {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig'],
      documentationUri: `${caller(request).baseUrl.replace(/\/scim\/v2\/.*$/, '')}/api/docs`,
      patch: { supported: true },
      bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
      filter: { supported: true, maxResults: MAX_PAGE },
      changePassword: { supported: false },
      sort: { supported: true },
      etag: { supported: true },
      authenticationSchemes: [
        {
          type: 'oauthbearertoken',
          name: 'Bearer token',
          description: 'The tenant’s SCIM API token (Authorization: Bearer <token>), issued in the admin console.',
          primary: true,
        },
      ],
      meta: { resourceType: 'ServiceProviderConfig', location: `${caller(request).baseUrl}/ServiceProviderConfig` },
    };
  }

  @Get('Schemas')
  schemas(@Req() request: ScimRequest, @Res({ passthrough: true }) response: Response) {
    response.type(SCIM_CONTENT_TYPE);
    const schemas = schemaDocument(RESOURCE_TYPES, caller(request).baseUrl);
    return listResponse(schemas.length, 1, schemas);
  }

  @Get('Schemas/:id')
  schema(@Req() request: ScimRequest, @Param('id') id: string, @Res({ passthrough: true }) response: Response) {
    const schema = schemaDocument(RESOURCE_TYPES, caller(request).baseUrl).find((candidate) => String(candidate.id).toLowerCase() === id.toLowerCase());
    if (!schema) throw ScimError.notFound(`no schema ${id}`);
    response.type(SCIM_CONTENT_TYPE);
    return schema;
  }

  @Get('ResourceTypes')
  resourceTypes(@Req() request: ScimRequest, @Res({ passthrough: true }) response: Response) {
    response.type(SCIM_CONTENT_TYPE);
    const types = RESOURCE_TYPES.map((type) => resourceTypeDocument(type, caller(request).baseUrl));
    return listResponse(types.length, 1, types);
  }

  /** RFC 7644 §3.11 and §3.12: what we do not offer answers 501, not 404 (ServiceProviderConfig says bulk is unsupported). */
  @All(['Me', 'Me/*path', 'Bulk'])
  notOffered(@Req() request: ScimRequest): never {
    throw ScimError.notImplemented(/\/Bulk$/i.test(request.path) ? 'bulk operations are not supported: send each request on its own' : 'there is no /Me: provisioning acts for the tenant, not a user');
  }

  @Get('ResourceTypes/:id')
  resourceType(@Req() request: ScimRequest, @Param('id') id: string, @Res({ passthrough: true }) response: Response) {
    const type = RESOURCE_TYPES.find((candidate) => candidate.id.toLowerCase() === id.toLowerCase());
    if (!type) throw ScimError.notFound(`no resource type ${id}`);
    response.type(SCIM_CONTENT_TYPE);
    return resourceTypeDocument(type, caller(request).baseUrl);
  }
}
