import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(__dirname, '../..');

/** Lints one throw-away file placed in a project, with the project's own `npm run lint` script. */
function lintProbe(project: string, source: string) {
  const file = path.join(root, project, 'src/lib', `boundary-probe-${process.pid}.ts`);
  writeFileSync(file, source);
  try {
    return spawnSync('node', ['tools/lint/lint.mjs', path.relative(root, file)], { cwd: root, encoding: 'utf8' });
  } finally {
    rmSync(file, { force: true });
  }
}

describe('npm run lint enforces the architecture', () => {
  it('rejects infrastructure imported into a domain library', () => {
    const result = lintProbe(
      'libs/identity/domain',
      `import { PostgresEventStore } from '@identity/platform-event-store';\nimport { DataSource } from 'typeorm';\nexport const leak = [PostgresEventStore, DataSource];\n`,
    );
    expect(result.status).not.toBe(0);
    expect(result.stdout).toContain('A project tagged with "type:domain" can only depend on libs tagged with "type:domain"');
    expect(result.stdout).toContain('is not allowed to import "typeorm"');
  });

  it('rejects licensing reaching into another bounded context', () => {
    const result = lintProbe(
      'libs/licensing/data-access',
      `import { userDecider } from '@identity/identity-domain';\nexport const leak = userDecider;\n`,
    );
    expect(result.status).not.toBe(0);
    expect(result.stdout).toContain('A project tagged with "scope:licensing" can only depend on libs tagged with');
  });

  it('accepts an allowed import', () => {
    const result = lintProbe('libs/licensing/data-access', `import { TOPICS } from '@identity/contracts';\nexport const topic = TOPICS.identityUser.name;\n`);
    expect(result.stderr + result.stdout).not.toContain('error');
    expect(result.status).toBe(0);
  });
});
