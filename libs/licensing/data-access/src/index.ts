export * from './lib/licensing.migration';
export * from './lib/licensing-users.projection';
