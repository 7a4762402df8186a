import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { renderAsyncApiYaml } from '@identity/contracts';

/** `npm run asyncapi`: regenerates docs/asyncapi.yaml from the contracts library. */
const target = path.resolve(__dirname, '../../../docs/asyncapi.yaml');
writeFileSync(target, renderAsyncApiYaml());
process.stdout.write(`wrote ${path.relative(process.cwd(), target)}\n`);
