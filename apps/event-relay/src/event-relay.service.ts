import { EVENT_STORE_MIGRATIONS } from '@identity/platform-event-store';
import type { ServiceDefinition } from '@identity/platform-service';
import { EventRelayModule } from './event-relay.module';

/** Publishes the outbox to Kafka. Run any number of replicas: one holds the lock and publishes. */
export const eventRelayService: ServiceDefinition = {
  name: 'event-relay',
  config: [],
  module: EventRelayModule,
  migrations: [...EVENT_STORE_MIGRATIONS],
  inlineOnlyProjections: [],
  projections: [],
  publicPrefixes: [],
  runsRelay: true,
  errorMappers: [],
};
