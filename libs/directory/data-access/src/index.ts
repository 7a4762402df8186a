export * from './lib/directory.migration';
export * from './lib/sites.migration';
export * from './lib/directory.projections';
export * from './lib/site.queries';
