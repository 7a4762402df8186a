export * from './lib/user.events';
export * from './lib/user.commands';
export * from './lib/user.state';
export * from './lib/user.errors';
export * from './lib/user.decide';
export * from './lib/scim-settings.decide';
export * from './lib/group.decide';
