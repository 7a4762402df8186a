export * from './lib/scim.migration';
export * from './lib/scim-resource-types';
export * from './lib/scim-user.view';
export * from './lib/scim-users.projection';
export * from './lib/scim-private.projections';
export * from './lib/scim.queries';
export * from './lib/provisioning-log.writer';
export * from './lib/scim-visibility.migration';
