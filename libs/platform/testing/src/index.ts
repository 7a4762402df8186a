export * from './lib/decider-spec';
