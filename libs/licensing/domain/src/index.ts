export * from './lib/licensing.errors';
export * from './lib/license.decide';
export * from './lib/subscription.decide';
