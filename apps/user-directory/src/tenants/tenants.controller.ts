import { Body, Controller, Get, HttpCode, Inject, NotFoundException, Param, ParseIntPipe, ParseUUIDPipe, Post, Query, DefaultValuePipe } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { CreateTenantCommand } from '@identity/directory-application';
import { TenantAccessQueries } from '@identity/platform-tenancy';
import { AdminAccess, currentCorrelationId, MAX_PAGE_OFFSET } from '@identity/platform-service';
import { CreateTenantDto } from './create-tenant.dto';

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
  list(
    @Query('offset', new DefaultValuePipe(0), ParseIntPipe) offset: number,
    @Query('limit', new DefaultValuePipe(50), ParseIntPipe) limit: number,
  ) {
    return this.tenants.list(Math.min(Math.max(0, offset), MAX_PAGE_OFFSET), Math.min(Math.max(1, limit), 500));
  }

  @Get(':tenantId')
  @AdminAccess('tenant')
  async get(@Param('tenantId', new ParseUUIDPipe({ version: '4' })) tenantId: string) {
    const tenant = await this.tenants.get(tenantId);
    if (!tenant) throw new NotFoundException('no such tenant');
    return tenant;
  }
}
