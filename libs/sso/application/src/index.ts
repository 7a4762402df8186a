export * from './lib/sso.config';
export * from './lib/sso-configuration.service';
export * from './lib/sign-in.service';
export * from './lib/sessions.service';
export * from './lib/access-tokens';
export * from './lib/sso-application.module';
export * from './lib/sign-in-housekeeping';
