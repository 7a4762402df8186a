import { Module, ValidationPipe } from '@nestjs/common';
import { APP_PIPE } from '@nestjs/core';
import { DirectoryApplicationModule } from '@identity/directory-application';
import { TenantQueries } from '@identity/directory-data-access';
import { ADMIN_TOKEN_VERIFIER, SERVICE_INFRASTRUCTURE, type ServiceInfrastructure } from '@identity/platform-service';
import { TenantsController } from './tenants/tenants.controller';

@Module({
  imports: [DirectoryApplicationModule],
  controllers: [TenantsController],
  providers: [
    { provide: APP_PIPE, useValue: new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }) },
    {
      provide: TenantQueries,
      inject: [SERVICE_INFRASTRUCTURE],
      useFactory: (infrastructure: ServiceInfrastructure) => new TenantQueries(infrastructure.dataSource),
    },
    { provide: ADMIN_TOKEN_VERIFIER, useExisting: TenantQueries },
  ],
})
export class UserDirectoryModule {}
