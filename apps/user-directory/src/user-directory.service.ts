import { DirectoryRuleViolation } from '@identity/directory-domain';
import {
  DIRECTORY_MIGRATIONS,
  directoryUsersProjection,
  directoryLicensesProjection,
  directoryTelephonyProjection,
  directorySitesProjection,
  directoryTenantsProjection,
} from '@identity/directory-data-access';
import { EVENT_STORE_MIGRATIONS, ReservationConflictError } from '@identity/platform-event-store';
import { PLATFORM_ADMIN_TOKEN, ProblemError, type ErrorMapper, type ServiceDefinition } from '@identity/platform-service';
import { asProblem } from '@identity/directory-application';
import { UserDirectoryModule } from './user-directory.module';

const STATUS_OF: Record<DirectoryRuleViolation['code'], number> = {
  'tenant-exists': 409,
  'tenant-not-found': 404,
  'invalid-name': 400,
  'token-not-found': 404,
  'site-exists': 409,
  'site-not-found': 404,
};

const directoryErrors: ErrorMapper = (error) => {
  const userProblem = asProblem(error);
  if (userProblem instanceof ProblemError) return userProblem.problem;
  if (error instanceof DirectoryRuleViolation) return { status: STATUS_OF[error.code], title: error.code, detail: error.message };
  if (error instanceof ReservationConflictError && error.scope.startsWith('site-name:')) {
    return { status: 409, title: 'site-name-taken', detail: `a site named "${error.key}" already exists (or did, before a rename)` };
  }
  return undefined;
};

export const userDirectoryService: ServiceDefinition = {
  name: 'user-directory',
  config: [PLATFORM_ADMIN_TOKEN],
  module: UserDirectoryModule,
  migrations: [...EVENT_STORE_MIGRATIONS, ...DIRECTORY_MIGRATIONS],
  inlineOnlyProjections: [directoryTenantsProjection, directorySitesProjection],
  projections: [directoryUsersProjection, directoryLicensesProjection, directoryTelephonyProjection],
  publicPrefixes: ['/api/v1', '/api/docs'],
  openApi: {
    path: 'api/docs',
    title: 'Identity platform: companies, sites, users and directory',
    description: [
      'Admin API of the user directory. Authenticate with a platform or tenant admin token (Bearer). Errors are RFC 9457 problem details.',
      '',
      'The rest of the admin API is documented next to it: [provisioning (SCIM settings and log)](/api/docs/provisioning), [licensing and telephony](/api/docs/licensing), [single sign-on](/api/docs/sso).',
    ].join('\n'),
  },
  runsRelay: false,
  errorMappers: [directoryErrors],
};
