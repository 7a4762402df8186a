import { Module, ValidationPipe } from '@nestjs/common';
import { APP_PIPE } from '@nestjs/core';
import { LicensingApplicationModule } from '@identity/licensing-application';
import { ADMIN_TOKEN_VERIFIER } from '@identity/platform-service';
import { TenantAccessQueries } from '@identity/platform-tenancy';
import { LicensesController } from './licenses/licenses.controller';
import { TelephonyController } from './telephony/telephony.controller';

@Module({
  imports: [LicensingApplicationModule],
  controllers: [LicensesController, TelephonyController],
  providers: [
    { provide: APP_PIPE, useValue: new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }) },
    { provide: ADMIN_TOKEN_VERIFIER, useExisting: TenantAccessQueries },
  ],
})
export class LicensingModule {}
