import { BadRequestException, Body, Controller, Delete, Get, HttpCode, Inject, Param, ParseUUIDPipe, Post, Put, Query } from '@nestjs/common';
import { companyUser, LicenseImportService, LicensingService, TelephonyService } from '@identity/licensing-application';
import { LicensingQueries } from '@identity/licensing-data-access';
import { AdminAccess, currentCorrelationId } from '@identity/platform-service';
import { AssignDto, ImportQuery, ImportResultsQuery, LicensedUsersQuery, RulesDto, SeatsDto, UnservedQuery } from './licenses.dto';

/** `/api/v1/tenants/{tenantId}/licenses`: seats, assignments, auto-assignment rules, CSV imports. */
@Controller('api/v1/tenants/:tenantId/licenses')
@AdminAccess('tenant')
export class LicensesController {
  constructor(
    private readonly licensing: LicensingService,
    private readonly imports: LicenseImportService,
    private readonly telephony: TelephonyService,
    @Inject(LicensingQueries) private readonly queries: LicensingQueries,
  ) {}

  @Get()
  usage(@Param('tenantId', ParseUUIDPipe) tenantId: string) {
    return this.queries.usage(tenantId);
  }

  /** Seat counts are the operators' to change (the company buys them). */
  @Put('plans/:plan')
  @AdminAccess('platform')
  async setSeats(@Param('tenantId', ParseUUIDPipe) tenantId: string, @Param('plan') plan: string, @Body() body: SeatsDto) {
    await this.licensing.setSeats(tenantId, plan, body.seats, currentCorrelationId());
    return this.queries.usage(tenantId);
  }

  @Get('users')
  users(@Param('tenantId', ParseUUIDPipe) tenantId: string, @Query() query: LicensedUsersQuery) {
    return this.queries.users(tenantId, { licensed: query.licensed === undefined ? undefined : query.licensed === 'true', plan: query.plan, offset: query.offset, limit: query.limit, sort: query.sort });
  }

  @Put('users/:userId')
  async assign(@Param('tenantId', ParseUUIDPipe) tenantId: string, @Param('userId', ParseUUIDPipe) userId: string, @Body() body: AssignDto) {
    const outcome = await this.licensing.assign(tenantId, userId, body.plan, body.swap, currentCorrelationId());
    return { userId, plan: body.plan, outcome };
  }

  @Delete('users/:userId')
  async unassign(@Param('tenantId', ParseUUIDPipe) tenantId: string, @Param('userId', ParseUUIDPipe) userId: string) {
    await companyUser(this.queries, tenantId, userId);
    const outcome = await this.licensing.unassign(tenantId, userId, currentCorrelationId());
    await this.telephony.releaseAllOfUnlicensed(tenantId, userId, currentCorrelationId());
    return { userId, outcome };
  }

  @Get('rules')
  async rules(@Param('tenantId', ParseUUIDPipe) tenantId: string) {
    return { rules: await this.queries.rules(tenantId) };
  }

  @Put('rules')
  async setRules(@Param('tenantId', ParseUUIDPipe) tenantId: string, @Body() body: RulesDto) {
    await this.licensing.setRules(tenantId, body.rules, currentCorrelationId());
    return { rules: await this.queries.rules(tenantId) };
  }

  /** Users an auto-assignment rule matched but could not license (no free seat, no site). */
  @Get('unserved')
  unserved(@Param('tenantId', ParseUUIDPipe) tenantId: string, @Query() query: UnservedQuery) {
    return this.queries.unserved(tenantId, query);
  }

  /** A CSV (username, plan, action) as text/csv, up to 50,000 rows; poll the job for progress. */
  @Post('imports')
  @HttpCode(202)
  startImport(@Param('tenantId', ParseUUIDPipe) tenantId: string, @Body() csv: unknown, @Query() query: ImportQuery) {
    if (typeof csv !== 'string') throw new BadRequestException('send the CSV as the body with Content-Type: text/csv');
    return this.imports.start(tenantId, csv, query.dryRun === 'true');
  }

  @Get('imports/:jobId')
  importStatus(@Param('tenantId', ParseUUIDPipe) tenantId: string, @Param('jobId', ParseUUIDPipe) jobId: string, @Query() query: ImportResultsQuery) {
    return this.imports.status(tenantId, jobId, query.offset, query.limit);
  }
}
