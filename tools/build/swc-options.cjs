// One SWC configuration for the build and for Jest, so tests run the code exactly as it ships.
const path = require('node:path');
const { compilerOptions } = require('../../tsconfig.base.json');

const workspaceRoot = path.resolve(__dirname, '../..');

/** @param {{ rewritePaths?: boolean }} [options] */
function swcOptions({ rewritePaths = true } = {}) {
  return {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
      target: 'es2022',
      keepClassNames: true,
      ...(rewritePaths ? { baseUrl: workspaceRoot, paths: compilerOptions.paths } : {}),
    },
    module: { type: 'commonjs', ignoreDynamic: true },
    sourceMaps: true,
  };
}

module.exports = { swcOptions, workspaceRoot };
