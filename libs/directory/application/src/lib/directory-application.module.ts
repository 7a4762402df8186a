import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { SiteQueries, UserQueries } from '@identity/directory-data-access';
import { SERVICE_INFRASTRUCTURE, type ServiceInfrastructure } from '@identity/platform-service';
import { TenantAccessQueries } from '@identity/platform-tenancy';
import { AdminTokensService } from './admin-tokens/admin-tokens.service';
import { AdminUsersService } from './admin-users/admin-users.service';
import { BulkUserEditService } from './admin-users/bulk-user-edit.service';
import { CreateSiteHandler } from './create-site/create-site.handler';
import { CreateTenantHandler } from './create-tenant/create-tenant.handler';
import { RenameSiteHandler } from './rename-site/rename-site.handler';

const queries = <T>(create: (infrastructure: ServiceInfrastructure) => T) => ({
  inject: [SERVICE_INFRASTRUCTURE],
  useFactory: create,
});

@Module({
  imports: [CqrsModule],
  providers: [
    CreateTenantHandler,
    CreateSiteHandler,
    RenameSiteHandler,
    AdminUsersService,
    BulkUserEditService,
    AdminTokensService,
    { provide: SiteQueries, ...queries((infrastructure) => new SiteQueries(infrastructure.dataSource)) },
    { provide: UserQueries, ...queries((infrastructure) => new UserQueries(infrastructure.dataSource)) },
    { provide: TenantAccessQueries, ...queries((infrastructure) => new TenantAccessQueries(infrastructure.dataSource, 'directory')) },
  ],
  exports: [CqrsModule, SiteQueries, UserQueries, TenantAccessQueries, AdminUsersService, BulkUserEditService, AdminTokensService],
})
export class DirectoryApplicationModule {}
