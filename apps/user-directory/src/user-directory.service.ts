import { DirectoryRuleViolation } from '@identity/directory-domain';
import { CreateDirectorySchema1764460900000 } from '@identity/directory-data-access';
import { CreateEventStore1764460800000 } from '@identity/platform-event-store';
import { PLATFORM_ADMIN_TOKEN, type ErrorMapper, type ServiceDefinition } from '@identity/platform-service';
import { UserDirectoryModule } from './user-directory.module';

const directoryErrors: ErrorMapper = (error) => {
  if (!(error instanceof DirectoryRuleViolation)) return undefined;
  const status = { 'tenant-exists': 409, 'tenant-not-found': 404, 'invalid-name': 400, 'token-not-found': 404 }[error.code];
  return { status, title: error.code, detail: error.message };
};

export const userDirectoryService: ServiceDefinition = {
  name: 'user-directory',
  config: [PLATFORM_ADMIN_TOKEN],
  module: UserDirectoryModule,
  migrations: [CreateEventStore1764460800000, CreateDirectorySchema1764460900000],
  projections: [],
  publicPrefixes: ['/api/v1'],
  runsRelay: false,
  errorMappers: [directoryErrors],
};
