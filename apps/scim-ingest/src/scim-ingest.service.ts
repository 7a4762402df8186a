import {
  AddScimNewUsersVisible1764461400000,
  AddScimStaleSiteNames1764461500000,
  AddScimLogByUser1764462300000,
  AddScimTelephony1764462100000,
  AddScimOtherStreamsModified1764462400000,
  CreateScimSchema1764461200000,
  scimGroupsProjection,
  scimSettingsProjection,
  scimSitesProjection,
  scimTelephonyProjection,
  scimTenantAccessProjection,
  scimUsersProjection,
} from '@identity/identity-data-access';
import { EVENT_STORE_MIGRATIONS } from '@identity/platform-event-store';
import { PLATFORM_ADMIN_TOKEN, type ServiceDefinition } from '@identity/platform-service';
import { ScimIngestModule } from './scim-ingest.module';
import { toScimError, writeScimError } from './scim/scim-exception.filter';

export const scimIngestService: ServiceDefinition = {
  name: 'scim-ingest',
  config: [
    PLATFORM_ADMIN_TOKEN,
    {
      name: 'SCIM_RATE_LIMIT_PER_SECOND',
      kind: 'int',
      default: '200',
      min: 1,
      max: 100000,
      description: 'SCIM requests per second each tenant may send to one instance (bursts of twice that); above it, 429 with Retry-After.',
    },
  ],
  module: ScimIngestModule,
  migrations: [...EVENT_STORE_MIGRATIONS, CreateScimSchema1764461200000, AddScimNewUsersVisible1764461400000, AddScimStaleSiteNames1764461500000, AddScimTelephony1764462100000, AddScimLogByUser1764462300000, AddScimOtherStreamsModified1764462400000],
  // Settings and groups are written here and applied inline; users also change through the admin console.
  projections: [scimUsersProjection, scimSitesProjection, scimTenantAccessProjection, scimTelephonyProjection],
  inlineOnlyProjections: [scimSettingsProjection, scimGroupsProjection],
  publicPrefixes: ['/scim/v2', '/api/v1/tenants/*/provisioning', '/api/docs/provisioning'],
  openApi: {
    path: 'api/docs/provisioning',
    title: 'Identity platform: user provisioning integration',
    description: 'Per-tenant SCIM settings, tokens and the provisioning log. The SCIM 2.0 endpoint itself is /scim/v2/{tenantId} (RFC 7644).',
  },
  runsRelay: false,
  errorMappers: [],
  errorRenderers: [
    {
      owns: (path) => /^\/scim\//i.test(path),
      render: (error, response) => writeScimError(response, toScimError(error)),
    },
  ],
};
