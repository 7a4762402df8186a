import { Module, ValidationPipe } from '@nestjs/common';
import { APP_PIPE } from '@nestjs/core';
import { IdentityApplicationModule } from '@identity/identity-application';
import { ADMIN_TOKEN_VERIFIER, SERVICE_INFRASTRUCTURE, type ServiceInfrastructure } from '@identity/platform-service';
import { TenantAccessQueries } from '@identity/platform-tenancy';
import { ProvisioningController } from './provisioning/provisioning.controller';
import { ScimAuthGuard } from './scim/scim-auth.guard';
import { ScimDiscoveryController } from './scim/scim-discovery.controller';
import { ScimExceptionFilter } from './scim/scim-exception.filter';
import { ScimGroupsController } from './scim/scim-groups.controller';
import { ScimUsersController } from './scim/scim-users.controller';
import { ProvisioningLog } from './scim/provisioning-log';
import { ProvisioningLogInterceptor } from './scim/provisioning-log.interceptor';

@Module({
  imports: [IdentityApplicationModule],
  controllers: [ScimUsersController, ScimGroupsController, ScimDiscoveryController, ProvisioningController],
  providers: [
    ScimAuthGuard,
    ScimExceptionFilter,
    ProvisioningLog,
    ProvisioningLogInterceptor,
    // Only admin DTOs are validated by class-validator; SCIM bodies are read by the SCIM layer itself.
    { provide: APP_PIPE, useValue: new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true, expectedType: undefined }) },
    {
      provide: TenantAccessQueries,
      inject: [SERVICE_INFRASTRUCTURE],
      useFactory: (infrastructure: ServiceInfrastructure) => new TenantAccessQueries(infrastructure.dataSource, 'scim'),
    },
    { provide: ADMIN_TOKEN_VERIFIER, useExisting: TenantAccessQueries },
  ],
})
export class ScimIngestModule {}
