import { Module, ValidationPipe } from '@nestjs/common';
import { APP_PIPE } from '@nestjs/core';
import { ADMIN_TOKEN_VERIFIER } from '@identity/platform-service';
import { TenantAccessQueries } from '@identity/platform-tenancy';
import { SsoApplicationModule } from '@identity/sso-application';
import { SessionsController } from './sessions/sessions.controller';
import { SamlController } from './sign-in/saml.controller';
import { SessionCookie } from './sign-in/session-cookie';
import { SignInPagesController } from './sign-in/sign-in-pages.controller';
import { SsoSettingsController } from './sso-settings/sso-settings.controller';

@Module({
  imports: [SsoApplicationModule],
  controllers: [SamlController, SignInPagesController, SessionsController, SsoSettingsController],
  providers: [
    SessionCookie,
    { provide: APP_PIPE, useValue: new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }) },
    { provide: ADMIN_TOKEN_VERIFIER, useExisting: TenantAccessQueries },
  ],
})
export class SamlAuthModule {}
