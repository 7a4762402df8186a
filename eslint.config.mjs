// Lint enforces the architecture: Nx module boundaries by scope and type, and a domain with no infrastructure.
import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

const infrastructure = ['typeorm', 'pg', 'kafkajs', '@nestjs/*', 'express', 'pino', 'pino-http', 'prom-client', '@electric-sql/*', 'node:*'];

export default [
  { ignores: ['**/node_modules/**', 'dist/**', '.nx/**', 'coverage/**', '**/*.cjs', '**/*.mjs'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    plugins: { '@nx': nx },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          // The embedded launcher composes the services' definitions into one process.
          allow: ['@identity/service-*'],
          banTransitiveDependencies: false,
          depConstraints: [
            // Layers: apps on top, contracts and domain at the bottom.
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:application', 'type:data-access', 'type:domain', 'type:contracts', 'type:platform'] },
            { sourceTag: 'type:application', onlyDependOnLibsWithTags: ['type:domain', 'type:data-access', 'type:contracts', 'type:platform'] },
            { sourceTag: 'type:data-access', onlyDependOnLibsWithTags: ['type:domain', 'type:contracts', 'type:platform'] },
            { sourceTag: 'type:platform', onlyDependOnLibsWithTags: ['type:platform', 'type:contracts'] },
            { sourceTag: 'type:domain', onlyDependOnLibsWithTags: ['type:domain'], bannedExternalImports: infrastructure },
            { sourceTag: 'type:contracts', onlyDependOnLibsWithTags: [], bannedExternalImports: infrastructure },
            { sourceTag: 'type:testing', onlyDependOnLibsWithTags: ['type:domain', 'type:data-access', 'type:application', 'type:contracts', 'type:platform'] },
            { sourceTag: 'type:tool', onlyDependOnLibsWithTags: ['*'] },
            { sourceTag: 'type:e2e', onlyDependOnLibsWithTags: ['*'] },
            // Bounded contexts: each sees itself and the shared kernel; licensing and SSO see users only through events.
            { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
            { sourceTag: 'scope:identity', onlyDependOnLibsWithTags: ['scope:identity', 'scope:shared'] },
            { sourceTag: 'scope:directory', onlyDependOnLibsWithTags: ['scope:directory', 'scope:identity', 'scope:shared'] },
            { sourceTag: 'scope:licensing', onlyDependOnLibsWithTags: ['scope:licensing', 'scope:shared'] },
            { sourceTag: 'scope:sso', onlyDependOnLibsWithTags: ['scope:sso', 'scope:shared'] },
            { sourceTag: 'scope:platform-ops', onlyDependOnLibsWithTags: ['*'] },
          ],
        },
      ],
    },
  },
  {
    // Statements are prepared once per connection: a prepared `SELECT *` of a table fails on every
    // call ("cached plan must not change result type") once a migration of the next release adds a
    // column while this release's pods still serve.
    files: ['**/*.ts'],
    ignores: ['**/*.spec.ts', '**/*.migration.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: String.raw`TemplateElement[value.raw=/SELECT\s+(\w+\.)?\*\s+FROM\s+\w+\.\w+/i], Literal[value=/SELECT\s+(\w+\.)?\*\s+FROM\s+\w+\.\w+/i]`,
          message: 'Name the columns: a prepared SELECT * of a table breaks on running pods when a migration adds a column.',
        },
      ],
    },
  },
  {
    // Specs may use the test harness wherever they live.
    files: ['**/*.spec.ts'],
    rules: { '@nx/enforce-module-boundaries': 'off' },
  },
];
