import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { CreateTenantHandler } from './create-tenant/create-tenant.handler';

@Module({
  imports: [CqrsModule],
  providers: [CreateTenantHandler],
  exports: [CqrsModule],
})
export class DirectoryApplicationModule {}
