// One SWC configuration for the build and for Jest, so tests run the code exactly as it ships.
const path = require('node:path');
const { compilerOptions } = require('../../tsconfig.base.json');

const workspaceRoot = path.resolve(__dirname, '../..');

/**
 * @param {{ forJest?: boolean }} [options] Jest resolves the workspace aliases itself, and runs
 *   without native dynamic import, so there `import()` becomes `require()`.
 */
function swcOptions({ forJest = false } = {}) {
  return {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
      target: 'es2022',
      keepClassNames: true,
      ...(!forJest ? { baseUrl: workspaceRoot, paths: compilerOptions.paths } : {}),
    },
    module: { type: 'commonjs', ignoreDynamic: !forJest },
    sourceMaps: true,
  };
}

module.exports = { swcOptions, workspaceRoot };
