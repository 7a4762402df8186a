import { BadRequestException, Body, Controller, Delete, Get, Inject, Param, ParseUUIDPipe, Post, Put, Query } from '@nestjs/common';
import { companyUser, TelephonyService } from '@identity/licensing-application';
import { LicensingQueries, TelephonyQueries } from '@identity/licensing-data-access';
import { MAX_NUMBERS_PER_IMPORT, normaliseE164 } from '@identity/licensing-domain';
import { CsvFormatError, firstColumn } from '@identity/platform-csv';
import { AdminAccess, currentCorrelationId, ProblemError } from '@identity/platform-service';
import { AssignExtensionDto, AssignNumberDto, NumbersQuery, TelephonySettingsDto } from './telephony.dto';

/** `/api/v1/tenants/{tenantId}/telephony`: extension plan, number pool, and each licensed user's extension and number. */
@Controller('api/v1/tenants/:tenantId/telephony')
@AdminAccess('tenant')
export class TelephonyController {
  constructor(
    private readonly telephony: TelephonyService,
    @Inject(TelephonyQueries) private readonly queries: TelephonyQueries,
    @Inject(LicensingQueries) private readonly licensing: LicensingQueries,
  ) {}

  @Get()
  async overview(@Param('tenantId', ParseUUIDPipe) tenantId: string) {
    return { settings: await this.queries.settings(tenantId), pool: await this.queries.pool(tenantId) };
  }

  @Put('settings')
  async changeSettings(@Param('tenantId', ParseUUIDPipe) tenantId: string, @Body() body: TelephonySettingsDto) {
    await this.telephony.changeSettings(
      tenantId,
      { extensionPlan: body.extensionPlan ?? null, autoAssignExtension: body.autoAssignExtension, autoAssignNumber: body.autoAssignNumber, quarantineDays: body.quarantineDays },
      currentCorrelationId(),
    );
    return this.overview(tenantId);
  }

  /** Operators import the company's direct numbers: E.164, one per line (a `number` header line is allowed), as text/plain or text/csv. */
  @Post('numbers')
  @AdminAccess('platform')
  async importNumbers(@Param('tenantId', ParseUUIDPipe) tenantId: string, @Body() body: unknown) {
    if (typeof body !== 'string') throw new BadRequestException('send the numbers as the body, one per line, with Content-Type: text/plain');
    const numbers = numbersOfUpload(body);
    const { imported } = await this.telephony.importNumbers(tenantId, numbers, currentCorrelationId());
    return { imported, pool: await this.queries.pool(tenantId) };
  }

  @Get('numbers')
  async numbers(@Param('tenantId', ParseUUIDPipe) tenantId: string, @Query() query: NumbersQuery) {
    return this.queries.numbers(tenantId, query);
  }

  @Get('users/:userId')
  async profile(@Param('tenantId', ParseUUIDPipe) tenantId: string, @Param('userId', ParseUUIDPipe) userId: string) {
    await companyUser(this.licensing, tenantId, userId);
    return { userId, ...(await this.queries.profile(tenantId, userId)) };
  }

  @Put('users/:userId/extension')
  async assignExtension(@Param('tenantId', ParseUUIDPipe) tenantId: string, @Param('userId', ParseUUIDPipe) userId: string, @Body() body: AssignExtensionDto) {
    return { userId, ...(await this.telephony.assignExtension(tenantId, userId, body.extension, currentCorrelationId())) };
  }

  @Delete('users/:userId/extension')
  async releaseExtension(@Param('tenantId', ParseUUIDPipe) tenantId: string, @Param('userId', ParseUUIDPipe) userId: string) {
    await companyUser(this.licensing, tenantId, userId);
    return { userId, outcome: await this.telephony.releaseExtension(tenantId, userId, 'admin', currentCorrelationId()) };
  }

  @Put('users/:userId/number')
  async assignNumber(@Param('tenantId', ParseUUIDPipe) tenantId: string, @Param('userId', ParseUUIDPipe) userId: string, @Body() body: AssignNumberDto) {
    return { userId, ...(await this.telephony.assignNumber(tenantId, userId, body.number, currentCorrelationId())) };
  }

  @Delete('users/:userId/number')
  async releaseNumber(@Param('tenantId', ParseUUIDPipe) tenantId: string, @Param('userId', ParseUUIDPipe) userId: string) {
    const user = await companyUser(this.licensing, tenantId, userId);
    // A deleted user's number sits out the quarantine whoever releases it first, the admin or the deletion's reaction.
    const reason = user.status === 'deleted' ? 'user-deleted' : 'admin';
    return { userId, outcome: await this.telephony.releaseNumber(tenantId, userId, reason, currentCorrelationId()) };
  }
}

/**
 * The first column of a number list as CSV (quoted fields too, as spreadsheets and PowerShell's
 * Export-Csv write them, its `#TYPE` line included), under a `number` header or none; a value that
 * is no E.164 number refuses the file with its line.
 */
function numbersOfUpload(text: string): string[] {
  try {
    // The header and PowerShell's #TYPE line come on top of the numbers an import takes.
    const rows = firstColumn(text, { maxRows: MAX_NUMBERS_PER_IMPORT + 2 }).filter(
      ({ value }, index) => value.length > 0 && !value.startsWith('#TYPE') && !(index <= 1 && /^number$/i.test(value)),
    );
    if (rows.length > MAX_NUMBERS_PER_IMPORT) throw new CsvFormatError(`the file has ${rows.length} numbers; import at most ${MAX_NUMBERS_PER_IMPORT} at a time`);
    for (const { line, value } of rows) {
      try {
        normaliseE164(value);
      } catch (error) {
        throw new CsvFormatError(`line ${line}: ${(error as Error).message}`);
      }
    }
    return rows.map((row) => row.value);
  } catch (error) {
    if (error instanceof CsvFormatError) throw new ProblemError({ status: 400, title: 'invalid-csv', detail: error.message });
    throw error;
  }
}
