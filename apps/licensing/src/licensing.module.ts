import { Module } from '@nestjs/common';

/** License subscriptions and assignments arrive with the licensing issue; the user read model runs already. */
@Module({})
export class LicensingModule {}
