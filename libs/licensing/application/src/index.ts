export * from './lib/licensing.service';
export * from './lib/licensing.reactions';
export * from './lib/license-import.service';
export * from './lib/licensing-application.module';
export * from './lib/telephony.service';
