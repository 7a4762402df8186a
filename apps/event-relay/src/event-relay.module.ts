import { Module } from '@nestjs/common';

/** The relay has no API of its own: health, readiness and metrics come with every service. */
@Module({})
export class EventRelayModule {}
