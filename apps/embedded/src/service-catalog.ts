import type { ServiceDefinition } from '@identity/platform-service';
import { adminConsoleService } from '@identity/service-admin-console';
import { eventRelayService } from '@identity/service-event-relay';
import { licensingService } from '@identity/service-licensing';
import { samlAuthService } from '@identity/service-saml-auth';
import { scimIngestService } from '@identity/service-scim-ingest';
import { userDirectoryService } from '@identity/service-user-directory';

/** Every deployable service, in start order: the launchers, the docs and the operators' CLI read this. */
export const SERVICES: readonly ServiceDefinition[] = [userDirectoryService, scimIngestService, licensingService, samlAuthService, adminConsoleService, eventRelayService];
