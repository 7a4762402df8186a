import { CreateEventStore1764460800000 } from '@identity/platform-event-store';
import type { ServiceDefinition } from '@identity/platform-service';
import { ScimIngestModule } from './scim-ingest.module';

export const scimIngestService: ServiceDefinition = {
  name: 'scim-ingest',
  config: [],
  module: ScimIngestModule,
  migrations: [CreateEventStore1764460800000],
  projections: [],
  publicPrefixes: ['/scim/v2'],
  runsRelay: false,
  errorMappers: [],
};
