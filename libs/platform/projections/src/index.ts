export * from './lib/projection';
export * from './lib/projection-runner';
export * from './lib/projection-rebuild';
export * from './lib/inline-projections';
