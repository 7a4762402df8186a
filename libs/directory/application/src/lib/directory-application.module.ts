import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { SiteQueries } from '@identity/directory-data-access';
import { SERVICE_INFRASTRUCTURE, type ServiceInfrastructure } from '@identity/platform-service';
import { CreateSiteHandler } from './create-site/create-site.handler';
import { CreateTenantHandler } from './create-tenant/create-tenant.handler';
import { RenameSiteHandler } from './rename-site/rename-site.handler';

@Module({
  imports: [CqrsModule],
  providers: [
    CreateTenantHandler,
    CreateSiteHandler,
    RenameSiteHandler,
    {
      provide: SiteQueries,
      inject: [SERVICE_INFRASTRUCTURE],
      useFactory: (infrastructure: ServiceInfrastructure) => new SiteQueries(infrastructure.dataSource),
    },
  ],
  exports: [CqrsModule, SiteQueries],
})
export class DirectoryApplicationModule {}
