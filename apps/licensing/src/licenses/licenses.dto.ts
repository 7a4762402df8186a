import { Type } from 'class-transformer';
import { ArrayMaxSize, IsBoolean, IsIn, IsInt, IsOptional, IsString, Length, Max, Min, ValidateNested } from 'class-validator';
import { LICENSED_USER_SORTS, UNSERVED_SORTS } from '@identity/licensing-data-access';
import { PageLimit, PageOffset, SortParam } from '@identity/platform-service';

export class SeatsDto {
  @IsInt() @Min(0) @Max(1_000_000) seats!: number;
}

export class AssignDto {
  @IsString() @Length(1, 32) plan!: string;
  /** Replace the plan the user already holds (a plan change is never implicit). */
  @IsOptional() @IsBoolean() swap = false;
}

export class RuleDto {
  @IsIn(['department', 'site', 'title']) attribute!: 'department' | 'site' | 'title';
  @IsString() @Length(1, 256) value!: string;
  @IsString() @Length(1, 32) plan!: string;
}

export class RulesDto {
  @ValidateNested({ each: true }) @Type(() => RuleDto) @ArrayMaxSize(100) rules!: RuleDto[];
}

export class LicensedUsersQuery {
  @IsOptional() @IsIn(['true', 'false']) licensed?: 'true' | 'false';
  @IsOptional() @IsString() @Length(1, 32) plan?: string;
  @PageOffset() offset = 0;
  @PageLimit() limit = 50;
  @SortParam(Object.keys(LICENSED_USER_SORTS)) sort = 'userName';
}

export class UnservedQuery {
  @PageOffset() offset = 0;
  @PageLimit() limit = 50;
  @SortParam(Object.keys(UNSERVED_SORTS)) sort = '-at';
}

export class ImportQuery {
  @IsOptional() @IsIn(['true', 'false']) dryRun?: 'true' | 'false';
}

/** A page of an import's row results (errors first, then by line): every row of a 50,000-row file can be read. */
export class ImportResultsQuery {
  @PageOffset() offset = 0;
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(1000) limit = 1000;
}
