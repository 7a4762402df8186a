export * from './lib/user-writer';
export * from './lib/scim-users/scim-user.input';
export * from './lib/scim-users/scim-users.service';
export * from './lib/scim-groups/scim-groups.service';
export * from './lib/scim-settings/scim-settings.service';
export * from './lib/identity-application.module';
