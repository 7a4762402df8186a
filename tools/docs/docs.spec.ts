import { readFileSync } from 'node:fs';
import path from 'node:path';
import { withConfigTable } from './config-reference';

describe('README', () => {
  const readme = readFileSync(path.resolve(__dirname, '../../README.md'), 'utf8');

  it('has the configuration table of the services’ schemas (run `npm run docs` after changing one)', () => {
    expect(readme).toBe(withConfigTable(readme));
    expect(readme).toContain('| `DATABASE_URL` |');
  });

  it('names the test command', () => {
    expect(readme).toContain('npm test');
  });
});
