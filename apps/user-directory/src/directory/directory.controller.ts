import { Controller, Get, Inject, Param, ParseUUIDPipe, Query } from '@nestjs/common';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { UserQueries, type DirectoryView } from '@identity/directory-data-access';
import { AdminAccess, PageOffset } from '@identity/platform-service';

export class DirectorySearchQuery {
  @IsOptional() @IsIn(['company', 'contact-center', 'switchboard', 'desk-phone']) view: DirectoryView = 'company';
  @IsOptional() @IsString() @MaxLength(100) q?: string;
  @IsOptional() @IsString() @MaxLength(32) number?: string;
  /** Extension prefix (the number people dial inside the company). */
  @IsOptional() @IsString() @MaxLength(8) extension?: string;
  @PageOffset() offset = 0;
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(200) limit = 25;
}

/** The company directory the licensed users' apps read (company, contact-center, switchboard, desk phones). */
@Controller('api/v1/tenants/:tenantId/directory')
@AdminAccess('tenant')
export class DirectoryController {
  constructor(@Inject(UserQueries) private readonly users: UserQueries) {}

  @Get()
  search(@Param('tenantId', ParseUUIDPipe) tenantId: string, @Query() query: DirectorySearchQuery) {
    return this.users.directory(tenantId, query);
  }
}
