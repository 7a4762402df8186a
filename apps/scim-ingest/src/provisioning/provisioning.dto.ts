import { Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, Max, Min, IsUUID, ValidateIf } from 'class-validator';
import { STALE_SITE_NAME_SORTS } from '@identity/identity-data-access';
import { IsStorableTimestamp, PageLimit, PageOffset, SortParam } from '@identity/platform-service';

export class EnableScimDto {
  @IsIn(['azure-ad', 'okta'])
  idp!: 'azure-ad' | 'okta';
}

export class ScimSettingsDto {
  @IsOptional() @IsIn(['all', 'idp-only'])
  userRetrieval?: 'all' | 'idp-only';

  /** Show users the IdP creates in the company directory at once (otherwise an admin makes them visible). */
  @IsOptional() @IsBoolean()
  newUsersVisibleInDirectory?: boolean;
}

export class RotateTokenDto {
  /** How long the previous token keeps working, so the IdP can be switched over without failures. */
  // Absent takes the default; null is a mistake (a CLI's NaN becomes null in JSON), not "no overlap".
  @ValidateIf((_, value) => value !== undefined) @IsInt() @Min(0) @Max(7 * 24 * 3600)
  overlapSeconds = 24 * 3600;
}

export class ProvisioningLogQuery {
  @IsOptional() @IsIn(['success', 'failure'])
  outcome?: 'success' | 'failure';

  @IsOptional() @IsStorableTimestamp()
  from?: string;

  @IsOptional() @IsStorableTimestamp()
  to?: string;

  /** One user's history: entries about that user id, and the failed creates that carried its username. */
  @IsOptional() @IsUUID()
  user?: string;

  @IsOptional() @IsIn(['time', 'failures-first'])
  sort: 'time' | 'failures-first' = 'time';

  @PageOffset() offset = 0;

  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(500)
  limit = 50;
}

export class StaleSiteNamesQuery {
  @PageOffset() offset = 0;
  @PageLimit() limit = 50;
  @SortParam(Object.keys(STALE_SITE_NAME_SORTS)) sort = '-lastSeen';
}
