export * from './lib/event-store.types';
export * from './lib/event-store.errors';
export * from './lib/event-store.migration';
export * from './lib/postgres-event-store';
export * from './lib/command-runner';
export * from './lib/outbox-relay';
export * from './lib/database';
export * from './lib/integration';
