export * from './lib/tenant.events';
export * from './lib/tenant.commands';
export * from './lib/tenant.state';
export * from './lib/tenant.errors';
export * from './lib/tenant.decide';
export * from './lib/site.events';
export * from './lib/site.decide';
