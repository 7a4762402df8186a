import { BadRequestException, Body, Controller, Delete, Get, Headers, HttpCode, Inject, Param, ParseUUIDPipe, Patch, Post, Put, Query } from '@nestjs/common';
import { AdminUsersService, BulkUserEditService, PROFILE_FIELDS, type AdminUserEdit } from '@identity/directory-application';
import { UserQueries, type AdminUserFilter } from '@identity/directory-data-access';
import { AdminAccess, currentCorrelationId } from '@identity/platform-service';
import { BulkEditQuery, BulkVisibilityDto, CreateUserDto, EditUserDto, ListUsersQuery, VisibilityDto } from './user.dto';

function toEdit(body: EditUserDto): AdminUserEdit {
  const changes: Record<string, string> = {};
  for (const field of PROFILE_FIELDS) if (body[field] !== undefined) changes[field] = body[field]!;
  return { userName: body.userName, changes, siteId: body.siteId, visibleInDirectory: body.visibleInDirectory, active: body.active };
}

function ifMatch(header?: string): number | undefined {
  if (header === undefined || header.trim() === '*') return undefined;
  const match = /^(?:W\/)?"?(\d+)"?$/.exec(header.trim());
  if (!match) throw new BadRequestException('If-Match must be the version an earlier response gave');
  return Number(match[1]);
}

@Controller('api/v1/tenants/:tenantId/users')
@AdminAccess('tenant')
export class UsersController {
  constructor(
    private readonly users: AdminUsersService,
    private readonly bulk: BulkUserEditService,
    @Inject(UserQueries) private readonly queries: UserQueries,
  ) {}

  @Post()
  @HttpCode(201)
  create(@Param('tenantId', ParseUUIDPipe) tenantId: string, @Body() body: CreateUserDto) {
    return this.users.create(tenantId, { ...toEdit(body), userName: body.userName }, currentCorrelationId());
  }

  @Get()
  list(@Param('tenantId', ParseUUIDPipe) tenantId: string, @Query() query: ListUsersQuery) {
    return this.queries.list(tenantId, {
      q: query.q,
      status: query.status,
      siteId: query.siteId,
      owner: query.owner,
      source: query.source,
      licensed: query.licensed === undefined ? undefined : query.licensed === 'true',
      sort: query.sort.replace('-', '') as AdminUserFilter['sort'],
      descending: query.sort.startsWith('-'),
      offset: query.offset,
      limit: query.limit,
    });
  }

  /** Bulk edit from a CSV body (text/csv); `?dryRun=true` reports what would happen and stores nothing. */
  @Post('bulk')
  bulkEdit(@Param('tenantId', ParseUUIDPipe) tenantId: string, @Body() csv: unknown, @Query() query: BulkEditQuery) {
    if (typeof csv !== 'string') throw new BadRequestException('send the CSV as the body with Content-Type: text/csv');
    return this.bulk.run(tenantId, csv, query.dryRun === 'true', currentCorrelationId());
  }

  @Post('directory-visibility')
  setVisibilityOfMany(@Param('tenantId', ParseUUIDPipe) tenantId: string, @Body() body: BulkVisibilityDto) {
    return this.users.setVisibility(tenantId, body.userIds, body.visible, currentCorrelationId()).then((results) => ({ results }));
  }

  @Get(':userId')
  get(@Param('tenantId', ParseUUIDPipe) tenantId: string, @Param('userId', ParseUUIDPipe) userId: string) {
    return this.users.existing(tenantId, userId);
  }

  @Patch(':userId')
  edit(
    @Param('tenantId', ParseUUIDPipe) tenantId: string,
    @Param('userId', ParseUUIDPipe) userId: string,
    @Body() body: EditUserDto,
    @Headers('if-match') match?: string,
  ) {
    return this.users.edit(tenantId, userId, toEdit(body), currentCorrelationId(), ifMatch(match));
  }

  @Post(':userId/deactivate')
  @HttpCode(200)
  deactivate(@Param('tenantId', ParseUUIDPipe) tenantId: string, @Param('userId', ParseUUIDPipe) userId: string) {
    return this.users.edit(tenantId, userId, { changes: {}, active: false }, currentCorrelationId());
  }

  @Post(':userId/reactivate')
  @HttpCode(200)
  reactivate(@Param('tenantId', ParseUUIDPipe) tenantId: string, @Param('userId', ParseUUIDPipe) userId: string) {
    return this.users.edit(tenantId, userId, { changes: {}, active: true }, currentCorrelationId());
  }

  @Put(':userId/directory-visibility')
  setVisibility(@Param('tenantId', ParseUUIDPipe) tenantId: string, @Param('userId', ParseUUIDPipe) userId: string, @Body() body: VisibilityDto) {
    return this.users.edit(tenantId, userId, { changes: {}, visibleInDirectory: body.visible }, currentCorrelationId());
  }

  @Delete(':userId')
  @HttpCode(204)
  async delete(@Param('tenantId', ParseUUIDPipe) tenantId: string, @Param('userId', ParseUUIDPipe) userId: string) {
    await this.users.delete(tenantId, userId, currentCorrelationId());
  }
}
