import { Module, ValidationPipe } from '@nestjs/common';
import { APP_PIPE } from '@nestjs/core';
import { DirectoryApplicationModule } from '@identity/directory-application';
import { TenantAccessQueries } from '@identity/platform-tenancy';
import { ADMIN_TOKEN_VERIFIER, SERVICE_INFRASTRUCTURE, type ServiceInfrastructure } from '@identity/platform-service';
import { SitesController } from './sites/sites.controller';
import { TenantsController } from './tenants/tenants.controller';

@Module({
  imports: [DirectoryApplicationModule],
  controllers: [TenantsController, SitesController],
  providers: [
    { provide: APP_PIPE, useValue: new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }) },
    {
      provide: TenantAccessQueries,
      inject: [SERVICE_INFRASTRUCTURE],
      useFactory: (infrastructure: ServiceInfrastructure) => new TenantAccessQueries(infrastructure.dataSource, 'directory'),
    },
    { provide: ADMIN_TOKEN_VERIFIER, useExisting: TenantAccessQueries },
  ],
})
export class UserDirectoryModule {}
