export * from './lib/licensing.migration';
export * from './lib/licensing-ledger.migration';
export * from './lib/licensing-import-results.migration';
export * from './lib/licensing-users.projection';
export * from './lib/licensing-ledger.projection';
export * from './lib/licensing-tenant-access.projection';
export * from './lib/licensing.queries';
