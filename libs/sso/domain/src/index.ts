export * from './lib/sso-configuration.decide';
export * from './lib/sso.errors';
