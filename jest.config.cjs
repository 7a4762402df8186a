// Two projects: fast unit specs (no servers) and integration specs against real PostgreSQL and Kafka
// (and a third, chaos, only under `npm run chaos`).
const { swcOptions } = require('./tools/build/swc-options.cjs');
const { compilerOptions } = require('./tsconfig.base.json');

const moduleNameMapper = Object.fromEntries(
  Object.entries(compilerOptions.paths).map(([alias, [target]]) => [`^${alias}$`, `<rootDir>/${target.replace(/^\.\//, '')}`]),
);

const shared = {
  rootDir: __dirname,
  testEnvironment: 'node',
  // NestJS 12 ships ES modules only; SWC turns them into CommonJS for Jest on Node 20.
  transform: { '^.+\\.(t|j|mj)s$': ['@swc/jest', { ...swcOptions({ forJest: true }), swcrc: false }] },
  transformIgnorePatterns: ['/node_modules/(?!(@nestjs|file-type|strtok3|token-types|@tokenizer|uint8array-extras|load-esm)/)'],
  moduleNameMapper,
  moduleFileExtensions: ['ts', 'js', 'mjs', 'cjs', 'json'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
};

module.exports = {
  projects: [
    { ...shared, displayName: 'unit', testMatch: ['<rootDir>/{apps,libs,tools}/**/*.spec.ts'], testPathIgnorePatterns: [...shared.testPathIgnorePatterns, '\\.int\\.spec\\.ts$', '\\.e2e\\.spec\\.ts$'] },
    {
      ...shared,
      displayName: 'integration',
      testMatch: ['<rootDir>/{apps,libs,tools}/**/*.int.spec.ts', '<rootDir>/{apps,libs,tools}/**/*.e2e.spec.ts'],
      setupFilesAfterEnv: ['<rootDir>/tools/test/integration-setup.cjs'],
      slowTestThreshold: 30,
    },
    // Fault injection (`npm run chaos`): kills and stalls the PostgreSQL and Kafka it is given, so it
    // exists only when run-chaos.mjs asks for it, never in `npm test`.
    ...(process.env.CHAOS ? [{ ...shared, displayName: 'chaos', testMatch: ['<rootDir>/tools/chaos/**/*.chaos.ts'] }] : []),
  ],
};
