import { Body, Controller, Get, HttpCode, Inject, NotFoundException, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { CreateTenantCommand } from '@identity/directory-application';
import { TENANT_SORTS, TenantAccessQueries } from '@identity/platform-tenancy';
import { AdminAccess, currentCorrelationId, PageLimit, PageOffset, SortParam } from '@identity/platform-service';
import { CreateTenantDto } from './create-tenant.dto';

export class TenantListQuery {
  @PageOffset() offset = 0;
  @PageLimit() limit = 50;
  @SortParam(Object.keys(TENANT_SORTS)) sort = 'name';
}

@Controller('api/v1/tenants')
export class TenantsController {
  constructor(
    private readonly commandBus: CommandBus,
    @Inject(TenantAccessQueries) private readonly tenants: TenantAccessQueries,
  ) {}

  @Post()
  @HttpCode(201)
  @AdminAccess('platform')
  create(@Body() body: CreateTenantDto) {
    return this.commandBus.execute(new CreateTenantCommand(body.name, currentCorrelationId()));
  }

  @Get()
  @AdminAccess('platform')
  list(@Query() query: TenantListQuery) {
    return this.tenants.list(query.offset, query.limit, query.sort);
  }

  @Get(':tenantId')
  @AdminAccess('tenant')
  async get(@Param('tenantId', new ParseUUIDPipe({ version: '4' })) tenantId: string) {
    const tenant = await this.tenants.get(tenantId);
    if (!tenant) throw new NotFoundException('no such tenant');
    return tenant;
  }
}
