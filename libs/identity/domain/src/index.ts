export * from './lib/user.events';
export * from './lib/user.commands';
export * from './lib/user.state';
export * from './lib/user.errors';
export * from './lib/user.decide';
