import { CreateEventStore1764460800000 } from '@identity/platform-event-store';
import type { ServiceDefinition } from '@identity/platform-service';
import { SamlAuthModule } from './saml-auth.module';

export const samlAuthService: ServiceDefinition = {
  name: 'saml-auth',
  config: [],
  module: SamlAuthModule,
  migrations: [CreateEventStore1764460800000],
  inlineOnlyProjections: [],
  projections: [],
  publicPrefixes: ['/saml2', '/sso'],
  runsRelay: false,
  errorMappers: [],
};
