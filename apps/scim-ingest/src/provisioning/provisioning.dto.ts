import { Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsISO8601, IsOptional, Max, Min, IsUUID } from 'class-validator';
import { PageOffset } from '@identity/platform-service';

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
  @IsOptional() @IsInt() @Min(0) @Max(7 * 24 * 3600)
  overlapSeconds = 24 * 3600;
}

export class ProvisioningLogQuery {
  @IsOptional() @IsIn(['success', 'failure'])
  outcome?: 'success' | 'failure';

  @IsOptional() @IsISO8601()
  from?: string;

  @IsOptional() @IsISO8601()
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
