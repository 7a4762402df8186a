import { asProblem, asTelephonyProblem, autoAssignLicenses, autoAssignTelephony, freeSeatOfDeletedUser } from '@identity/licensing-application';
import {
  AddLicensingSiteNames1764462500000,
  CreateLicensingImportResults1764461700000,
  CreateLicensingLedger1764461600000,
  CreateLicensingSchema1764461000000,
  CreateLicensingTelephony1764461900000,
  ReservePhoneNumberPools1764462600000,
  licensingLedgerProjection,
  licensingSiteNamesProjection,
  licensingTenantAccessProjection,
  licensingUsersProjection,
  telephonyProfilesProjection,
  telephonySettingsProjection,
} from '@identity/licensing-data-access';
import { EVENT_STORE_MIGRATIONS } from '@identity/platform-event-store';
import { PLATFORM_ADMIN_TOKEN, ProblemError, type ServiceDefinition } from '@identity/platform-service';
import { LicensingModule } from './licensing.module';

export const licensingService: ServiceDefinition = {
  name: 'licensing',
  config: [PLATFORM_ADMIN_TOKEN],
  module: LicensingModule,
  migrations: [...EVENT_STORE_MIGRATIONS, CreateLicensingSchema1764461000000, CreateLicensingLedger1764461600000, CreateLicensingImportResults1764461700000, CreateLicensingTelephony1764461900000, AddLicensingSiteNames1764462500000, ReservePhoneNumberPools1764462600000],
  projections: [licensingUsersProjection, licensingSiteNamesProjection, licensingTenantAccessProjection],
  inlineOnlyProjections: [licensingLedgerProjection, telephonySettingsProjection, telephonyProfilesProjection],
  reactions: [freeSeatOfDeletedUser, autoAssignLicenses, autoAssignTelephony],
  publicPrefixes: ['/api/v1/tenants/*/licenses', '/api/v1/tenants/*/telephony', '/api/docs/licensing'],
  openApi: {
    path: 'api/docs/licensing',
    title: 'Identity platform: X Series licensing',
    description: 'Seats per plan, license assignment (one by one, by CSV, by rules). A license needs a user with a site; seats are never oversold.',
  },
  runsRelay: false,
  errorMappers: [
    (error) => {
      const problem = asTelephonyProblem(asProblem(error));
      return problem instanceof ProblemError ? problem.problem : undefined;
    },
  ],
};
