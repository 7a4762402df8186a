import { Module } from '@nestjs/common';
import { SERVICE_INFRASTRUCTURE, type ServiceInfrastructure } from '@identity/platform-service';
import { TenantAccessQueries } from '@identity/platform-tenancy';
import { SsoQueries } from '@identity/sso-data-access';
import { SessionsService } from './sessions.service';
import { SignInHousekeeping } from './sign-in-housekeeping';
import { SignInService } from './sign-in.service';
import { SsoConfigurationService } from './sso-configuration.service';

@Module({
  providers: [
    SsoConfigurationService,
    SignInService,
    SessionsService,
    SignInHousekeeping,
    { provide: SsoQueries, inject: [SERVICE_INFRASTRUCTURE], useFactory: (infrastructure: ServiceInfrastructure) => new SsoQueries(infrastructure.dataSource) },
    {
      provide: TenantAccessQueries,
      inject: [SERVICE_INFRASTRUCTURE],
      useFactory: (infrastructure: ServiceInfrastructure) => new TenantAccessQueries(infrastructure.dataSource, 'sso'),
    },
  ],
  exports: [SsoConfigurationService, SignInService, SessionsService, SsoQueries, TenantAccessQueries],
})
export class SsoApplicationModule {}
