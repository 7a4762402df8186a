export * from './lib/batcher';
