import type { ServiceDefinition } from '@identity/platform-service';
import { AdminConsoleModule } from './admin-console.module';

/**
 * The admin console: static pages of the same origin that call the other services' admin APIs
 * from the browser. It keeps no data of its own, so it has no migrations or read models.
 */
export const adminConsoleService: ServiceDefinition = {
  name: 'admin-console',
  config: [],
  module: AdminConsoleModule,
  migrations: [],
  projections: [],
  inlineOnlyProjections: [],
  publicPrefixes: ['/console'],
  runsRelay: false,
  errorMappers: [],
};
