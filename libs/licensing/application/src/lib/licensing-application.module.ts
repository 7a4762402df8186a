import { Module } from '@nestjs/common';
import { LicensingQueries } from '@identity/licensing-data-access';
import { SERVICE_INFRASTRUCTURE, type ServiceInfrastructure } from '@identity/platform-service';
import { TenantAccessQueries } from '@identity/platform-tenancy';
import { LicenseImportService } from './license-import.service';
import { LicensingService } from './licensing.service';

@Module({
  providers: [
    LicensingService,
    LicenseImportService,
    { provide: LicensingQueries, inject: [SERVICE_INFRASTRUCTURE], useFactory: (infrastructure: ServiceInfrastructure) => new LicensingQueries(infrastructure.dataSource) },
    {
      provide: TenantAccessQueries,
      inject: [SERVICE_INFRASTRUCTURE],
      useFactory: (infrastructure: ServiceInfrastructure) => new TenantAccessQueries(infrastructure.dataSource, 'licensing'),
    },
  ],
  exports: [LicensingService, LicenseImportService, LicensingQueries, TenantAccessQueries],
})
export class LicensingApplicationModule {}
