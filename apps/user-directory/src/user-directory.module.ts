import { Module, ValidationPipe } from '@nestjs/common';
import { APP_PIPE } from '@nestjs/core';
import { DirectoryApplicationModule } from '@identity/directory-application';
import { TenantAccessQueries } from '@identity/platform-tenancy';
import { ADMIN_TOKEN_VERIFIER } from '@identity/platform-service';
import { AdminTokensController } from './admin-tokens/admin-tokens.controller';
import { DirectoryController } from './directory/directory.controller';
import { SitesController } from './sites/sites.controller';
import { TenantsController } from './tenants/tenants.controller';
import { UsersController } from './users/users.controller';

@Module({
  imports: [DirectoryApplicationModule],
  controllers: [TenantsController, SitesController, UsersController, DirectoryController, AdminTokensController],
  providers: [
    { provide: APP_PIPE, useValue: new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }) },
    { provide: ADMIN_TOKEN_VERIFIER, useExisting: TenantAccessQueries },
  ],
})
export class UserDirectoryModule {}
