import { Module } from '@nestjs/common';
import { parseReadinessTargets, SERVICE_CONFIG, type ServiceConfig } from '@identity/platform-service';
import { bundleConsole } from './console-assets';
import { ConsoleController } from './console.controller';
import { CONSOLE_BUNDLE, PLATFORM_READINESS_TARGETS } from './console.tokens';
import { PLATFORM_READINESS_URLS } from './admin-console.config';
import { PlatformHealthController } from './platform-health.controller';

@Module({
  controllers: [ConsoleController, PlatformHealthController],
  providers: [
    { provide: CONSOLE_BUNDLE, useFactory: bundleConsole },
    {
      provide: PLATFORM_READINESS_TARGETS,
      inject: [SERVICE_CONFIG],
      useFactory: (config: ServiceConfig) => parseReadinessTargets(PLATFORM_READINESS_URLS.name, config.list(PLATFORM_READINESS_URLS.name)),
    },
  ],
})
export class AdminConsoleModule {}
