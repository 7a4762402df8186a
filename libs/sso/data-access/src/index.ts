export * from './lib/sso.migration';
export * from './lib/sso.projections';
export * from './lib/sso.queries';
export * from './lib/sign-in.stores';
export * from './lib/sessions.store';
export * from './lib/sso-console-admins.migration';
export * from './lib/sso-session-activity.migration';
