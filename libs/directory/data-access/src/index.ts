export * from './lib/directory.migration';
export * from './lib/tenants.projection';
export * from './lib/tenant.queries';
