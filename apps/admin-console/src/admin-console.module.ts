import { Module } from '@nestjs/common';
import { bundleConsole } from './console-assets';
import { ConsoleController } from './console.controller';
import { CONSOLE_BUNDLE } from './console.tokens';

@Module({
  controllers: [ConsoleController],
  providers: [{ provide: CONSOLE_BUNDLE, useFactory: bundleConsole }],
})
export class AdminConsoleModule {}
