import { Module } from '@nestjs/common';
import { ScimQueries } from '@identity/identity-data-access';
import { SERVICE_INFRASTRUCTURE, type ServiceInfrastructure } from '@identity/platform-service';
import { ScimGroupsService } from './scim-groups/scim-groups.service';
import { ScimSettingsService } from './scim-settings/scim-settings.service';
import { ScimUsersService } from './scim-users/scim-users.service';
import { UserWriter } from './user-writer';

@Module({
  providers: [
    UserWriter,
    ScimUsersService,
    ScimGroupsService,
    ScimSettingsService,
    {
      provide: ScimQueries,
      inject: [SERVICE_INFRASTRUCTURE],
      useFactory: (infrastructure: ServiceInfrastructure) => new ScimQueries(infrastructure.dataSource),
    },
  ],
  exports: [ScimUsersService, ScimGroupsService, ScimSettingsService, ScimQueries],
})
export class IdentityApplicationModule {}
