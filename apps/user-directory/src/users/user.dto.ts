import { Type } from 'class-transformer';
import { PROFILE_FIELD_MAX_LENGTH } from '@identity/directory-application';
import { ArrayMaxSize, ArrayMinSize, IsBoolean, IsIn, IsInt, IsOptional, IsString, IsUUID, Length, Max, MaxLength, Min, ValidateIf } from 'class-validator';
import { PageOffset } from '@identity/platform-service';

/** Optional, but never null: absent leaves the field as it is, and these fields cannot be cleared. */
const OptionalNotNull = () => ValidateIf((_object: unknown, value: unknown) => value !== undefined);

/** Profile fields both edits and creates carry; null clears one. */
class UserProfileDto {
  @IsOptional() @IsString() @MaxLength(PROFILE_FIELD_MAX_LENGTH.givenName) givenName?: string;
  @IsOptional() @IsString() @MaxLength(PROFILE_FIELD_MAX_LENGTH.familyName) familyName?: string;
  @IsOptional() @IsString() @MaxLength(PROFILE_FIELD_MAX_LENGTH.email) email?: string;
  @IsOptional() @IsString() @MaxLength(PROFILE_FIELD_MAX_LENGTH.title) title?: string;
  @IsOptional() @IsString() @MaxLength(PROFILE_FIELD_MAX_LENGTH.department) department?: string;
  @IsOptional() @IsString() @MaxLength(PROFILE_FIELD_MAX_LENGTH.mobilePhone) mobilePhone?: string;
  @IsOptional() @IsString() @MaxLength(PROFILE_FIELD_MAX_LENGTH.workPhone) workPhone?: string;
  @IsOptional() @IsString() @MaxLength(PROFILE_FIELD_MAX_LENGTH.locale) locale?: string;
  @IsOptional() @IsString() @MaxLength(PROFILE_FIELD_MAX_LENGTH.timezone) timezone?: string;
  @IsOptional() @IsUUID() siteId?: string;
  @OptionalNotNull() @IsBoolean() visibleInDirectory?: boolean;
  @OptionalNotNull() @IsBoolean() active?: boolean;
}

/** Editable fields; what the IdP masters is refused for IdP-owned users with a 409 naming them. */
export class EditUserDto extends UserProfileDto {
  @OptionalNotNull() @IsString() @Length(1, 256) userName?: string;
}

export class CreateUserDto extends UserProfileDto {
  @IsString() @Length(1, 256) userName!: string;
}

export class ListUsersQuery {
  @IsOptional() @IsString() @MaxLength(100) q?: string;
  @IsOptional() @IsIn(['active', 'deactivated']) status?: 'active' | 'deactivated';
  @IsOptional() @IsUUID() siteId?: string;
  @IsOptional() @IsIn(['idp', 'admin']) owner?: 'idp' | 'admin';
  @IsOptional() @IsIn(['azure-ad', 'okta', 'admin-console']) source?: string;
  @IsOptional() @IsIn(['true', 'false']) licensed?: 'true' | 'false';
  @IsOptional() @IsIn(['userName', '-userName', 'familyName', '-familyName', 'createdAt', '-createdAt', 'updatedAt', '-updatedAt'])
  sort = 'userName';
  @PageOffset() offset = 0;
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(500) limit = 50;
}

export class VisibilityDto {
  @IsBoolean() visible!: boolean;
}

export class BulkVisibilityDto {
  @IsUUID('all', { each: true }) @ArrayMinSize(1) @ArrayMaxSize(1000) userIds!: string[];
  @IsBoolean() visible!: boolean;
}

export class BulkEditQuery {
  @IsOptional() @IsIn(['true', 'false']) dryRun?: 'true' | 'false';
}
