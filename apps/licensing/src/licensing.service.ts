import { CreateLicensingSchema1764461000000, licensingUsersProjection } from '@identity/licensing-data-access';
import { CreateEventStore1764460800000 } from '@identity/platform-event-store';
import type { ServiceDefinition } from '@identity/platform-service';
import { LicensingModule } from './licensing.module';

export const licensingService: ServiceDefinition = {
  name: 'licensing',
  config: [],
  module: LicensingModule,
  migrations: [CreateEventStore1764460800000, CreateLicensingSchema1764461000000],
  inlineOnlyProjections: [],
  projections: [licensingUsersProjection],
  publicPrefixes: ['/api/v1/tenants/*/licenses'],
  runsRelay: false,
  errorMappers: [],
};
