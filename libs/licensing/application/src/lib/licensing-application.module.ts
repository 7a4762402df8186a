import { Module } from '@nestjs/common';
import { LicensingQueries, TelephonyQueries } from '@identity/licensing-data-access';
import { SERVICE_INFRASTRUCTURE, type ServiceInfrastructure } from '@identity/platform-service';
import { TenantAccessQueries } from '@identity/platform-tenancy';
import { LicenseImportService } from './license-import.service';
import { LicensingService } from './licensing.service';
import { TelephonyService } from './telephony.service';

@Module({
  providers: [
    LicensingService,
    LicenseImportService,
    TelephonyService,
    { provide: TelephonyQueries, inject: [SERVICE_INFRASTRUCTURE], useFactory: (infrastructure: ServiceInfrastructure) => new TelephonyQueries(infrastructure.dataSource) },
    { provide: LicensingQueries, inject: [SERVICE_INFRASTRUCTURE], useFactory: (infrastructure: ServiceInfrastructure) => new LicensingQueries(infrastructure.dataSource) },
    {
      provide: TenantAccessQueries,
      inject: [SERVICE_INFRASTRUCTURE],
      useFactory: (infrastructure: ServiceInfrastructure) => new TenantAccessQueries(infrastructure.dataSource, 'licensing'),
    },
  ],
  exports: [LicensingService, LicenseImportService, TelephonyService, LicensingQueries, TelephonyQueries, TenantAccessQueries],
})
export class LicensingApplicationModule {}
