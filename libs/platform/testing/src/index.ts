export * from './lib/decider-spec';
export * from './lib/harness';
export * from './lib/kafka-collector';
export * from './lib/processes';
