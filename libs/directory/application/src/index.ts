export * from './lib/create-tenant/create-tenant.command';
export * from './lib/create-tenant/create-tenant.handler';
export * from './lib/admin-tokens';
export * from './lib/directory-application.module';
