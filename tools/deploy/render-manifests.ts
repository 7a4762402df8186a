import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { renderBase } from './manifests';

/** `npm run k8s:render`: writes k8s/base from the code. */
const directory = path.resolve(__dirname, '../../../k8s/base');
mkdirSync(directory, { recursive: true });
for (const [file, content] of Object.entries(renderBase())) writeFileSync(path.join(directory, file), content);
process.stdout.write(`k8s: wrote ${Object.keys(renderBase()).length} files to k8s/base\n`);
