import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { renderAsyncApiYaml } from '@identity/contracts';
import { withConfigTable } from './config-reference';

/** `npm run docs`: regenerates the README's configuration table and docs/asyncapi.yaml. */
const root = path.resolve(__dirname, '../../..');
const readme = path.join(root, 'README.md');
writeFileSync(readme, withConfigTable(readFileSync(readme, 'utf8')));
writeFileSync(path.join(root, 'docs/asyncapi.yaml'), renderAsyncApiYaml());
process.stdout.write('docs: README.md configuration table and docs/asyncapi.yaml regenerated\n');
