import { IsBase64, IsBoolean, IsIn, IsOptional, IsString, MaxLength, ValidateIf } from 'class-validator';
import { MAX_CERTIFICATE_UPLOAD_BYTES } from '@identity/platform-saml';

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

  /**
   * A signing certificate file to trust as well, as downloaded and base64-encoded, saved in the same
   * change as the settings: if they are refused, it is not trusted either.
   */
  @IsOptional()
  @IsString()
  @MaxLength(Math.ceil(MAX_CERTIFICATE_UPLOAD_BYTES / 3) * 4)
  @IsBase64()
  certificateFile?: string;
}
