import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { IsString, Length, ValidateIf } from 'class-validator';
import { AdminTokensService } from '@identity/directory-application';
import { AdminAccess, currentCorrelationId } from '@identity/platform-service';

export class IssueTokenDto {
  // Absent takes the default; null is refused like any other non-string.
  @ValidateIf((_object: unknown, value: unknown) => value !== undefined) @IsString() @Length(1, 100) label = 'admin';
}

/** A company's admin API tokens; a token is shown once, at issue. */
@Controller('api/v1/tenants/:tenantId/admin-tokens')
@AdminAccess('tenant')
export class AdminTokensController {
  constructor(private readonly tokens: AdminTokensService) {}

  @Post()
  @HttpCode(201)
  issue(@Param('tenantId', ParseUUIDPipe) tenantId: string, @Body() body: IssueTokenDto) {
    return this.tokens.issue(tenantId, body.label, currentCorrelationId());
  }

  @Get()
  async list(@Param('tenantId', ParseUUIDPipe) tenantId: string) {
    return { items: await this.tokens.list(tenantId) };
  }

  @Delete(':tokenId')
  @HttpCode(204)
  async revoke(@Param('tenantId', ParseUUIDPipe) tenantId: string, @Param('tokenId', ParseUUIDPipe) tokenId: string) {
    await this.tokens.revoke(tenantId, tokenId, currentCorrelationId());
  }
}
