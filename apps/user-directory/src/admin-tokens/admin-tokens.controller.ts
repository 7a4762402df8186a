import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { IsString, Length, ValidateIf } from 'class-validator';
import { AdminTokensService } from '@identity/directory-application';
import { AdminAccess, currentCorrelationId, IssuesCredentials, PageLimit, PageOffset, SortParam } from '@identity/platform-service';
import { TOKEN_SORTS } from '@identity/platform-tenancy';

export class IssueTokenDto {
  // Absent takes the default; null is refused like any other non-string.
  @ValidateIf((_object: unknown, value: unknown) => value !== undefined) @IsString() @Length(1, 100) label = 'admin';
}

export class TokenListQuery {
  @PageOffset() offset = 0;
  @PageLimit() limit = 50;
  @SortParam(Object.keys(TOKEN_SORTS)) sort = 'issuedAt';
}

/** A company's admin API tokens; a token is shown once, at issue. */
@Controller('api/v1/tenants/:tenantId/admin-tokens')
@AdminAccess('tenant')
export class AdminTokensController {
  constructor(private readonly tokens: AdminTokensService) {}

  @Post()
  @HttpCode(201)
  @IssuesCredentials()
  issue(@Param('tenantId', ParseUUIDPipe) tenantId: string, @Body() body: IssueTokenDto) {
    return this.tokens.issue(tenantId, body.label, currentCorrelationId());
  }

  @Get()
  list(@Param('tenantId', ParseUUIDPipe) tenantId: string, @Query() query: TokenListQuery) {
    return this.tokens.list(tenantId, query);
  }

  @Delete(':tokenId')
  @HttpCode(204)
  async revoke(@Param('tenantId', ParseUUIDPipe) tenantId: string, @Param('tokenId', ParseUUIDPipe) tokenId: string) {
    await this.tokens.revoke(tenantId, tokenId, currentCorrelationId());
  }
}
