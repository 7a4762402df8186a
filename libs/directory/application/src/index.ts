export * from './lib/create-tenant/create-tenant.command';
export * from './lib/create-tenant/create-tenant.handler';
export * from './lib/create-site/create-site.command';
export * from './lib/rename-site/rename-site.command';
export * from './lib/admin-tokens';
export * from './lib/directory-application.module';
