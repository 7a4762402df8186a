import { Body, Controller, Get, HttpCode, Inject, NotFoundException, Param, ParseUUIDPipe, Patch, Post, Query } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { CreateSiteCommand, RenameSiteCommand } from '@identity/directory-application';
import { SiteQueries } from '@identity/directory-data-access';
import { AdminAccess, currentCorrelationId } from '@identity/platform-service';
import { ListSitesQuery, SiteNameDto } from './site.dto';

@Controller('api/v1/tenants/:tenantId/sites')
@AdminAccess('tenant')
export class SitesController {
  constructor(
    private readonly commandBus: CommandBus,
    @Inject(SiteQueries) private readonly sites: SiteQueries,
  ) {}

  @Post()
  @HttpCode(201)
  create(@Param('tenantId', ParseUUIDPipe) tenantId: string, @Body() body: SiteNameDto) {
    return this.commandBus.execute(new CreateSiteCommand(tenantId, body.name, currentCorrelationId()));
  }

  @Get()
  list(@Param('tenantId', ParseUUIDPipe) tenantId: string, @Query() query: ListSitesQuery) {
    const descending = query.sort.startsWith('-');
    return this.sites.list(tenantId, {
      offset: query.offset,
      limit: query.limit,
      sort: query.sort.replace('-', '') as 'name' | 'createdAt',
      descending,
    });
  }

  @Get(':siteId')
  async get(@Param('tenantId', ParseUUIDPipe) tenantId: string, @Param('siteId', ParseUUIDPipe) siteId: string) {
    const site = await this.sites.get(tenantId, siteId);
    if (!site) throw new NotFoundException('no such site');
    return site;
  }

  @Patch(':siteId')
  rename(@Param('tenantId', ParseUUIDPipe) tenantId: string, @Param('siteId', ParseUUIDPipe) siteId: string, @Body() body: SiteNameDto) {
    return this.commandBus.execute(new RenameSiteCommand(tenantId, siteId, body.name, currentCorrelationId()));
  }
}
