export * from './lib/directory.migration';
export * from './lib/sites.migration';
export * from './lib/users.migration';
export * from './lib/directory.projections';
export * from './lib/users.projection';
export * from './lib/site.queries';
export * from './lib/user.queries';
export * from './lib/licenses.projection';
