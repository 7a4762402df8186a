import type { ServiceDefinition } from '@identity/platform-service';
import { PLATFORM_READINESS_URLS } from './admin-console.config';
import { AdminConsoleModule } from './admin-console.module';

/**
 * The admin console: static pages of the same origin that call the other services' admin APIs
 * from the browser. It keeps no data of its own, so it has no migrations or read models. It also
 * answers the platform's readiness for the public origin (/health/platform).
 */
export const adminConsoleService: ServiceDefinition = {
  name: 'admin-console',
  config: [PLATFORM_READINESS_URLS],
  module: AdminConsoleModule,
  migrations: [],
  projections: [],
  inlineOnlyProjections: [],
  publicPrefixes: ['/console'],
  runsRelay: false,
  errorMappers: [],
};
