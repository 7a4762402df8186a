export * from './lib/tenant-access.projection';
export * from './lib/tenant-access.queries';
