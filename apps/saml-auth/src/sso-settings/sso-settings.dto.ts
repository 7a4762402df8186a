import { IsBoolean, IsIn, IsOptional, IsString, MaxLength, ValidateIf } from 'class-validator';

export class SsoSettingsDto {
  @IsBoolean()
  enabled!: boolean;

  @IsIn(['azure-ad', 'saml2'])
  idp!: 'azure-ad' | 'saml2';

  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @IsString()
  @MaxLength(2048)
  signInUrl?: string | null;

  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @IsString()
  @MaxLength(2048)
  issuer?: string | null;

  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @IsString()
  @MaxLength(2048)
  signOutUrl?: string | null;

  /** Azure AD app role (the role claim's value) whose holders may administer the company in the admin console. */
  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @IsString()
  @MaxLength(128)
  adminRole?: string | null;
}
