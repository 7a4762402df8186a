// Compiles every TypeScript source of apps/, libs/ and tools/ to dist/ (CommonJS), rewriting the
// workspace path aliases to relative requires so that `node dist/apps/<app>/main.js` runs as is.
import { transformFile } from '@swc/core';
import { mkdir, readdir, writeFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { swcOptions, workspaceRoot } = require('./swc-options.cjs');
const outDir = path.join(workspaceRoot, 'dist');
const roots = ['apps', 'libs', 'tools'];

async function* sources(dir) {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules') yield* sources(full);
    } else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') && !entry.name.endsWith('.spec.ts')) {
      yield full;
    }
  }
}

async function compile(file) {
  const target = path.join(outDir, path.relative(workspaceRoot, file)).replace(/\.ts$/, '.js');
  const { code, map } = await transformFile(file, { ...swcOptions(), filename: file, sourceFileName: file });
  await mkdir(path.dirname(target), { recursive: true });
  await writeFile(target, `${code}\n//# sourceMappingURL=${path.basename(target)}.map\n`);
  if (map) await writeFile(`${target}.map`, map);
}

const started = Date.now();
const files = [];
for (const root of roots) {
  const dir = path.join(workspaceRoot, root);
  if (await stat(dir).catch(() => null)) for await (const file of sources(dir)) files.push(file);
}
await Promise.all(files.map(compile));
process.stderr.write(`build: ${files.length} files compiled to dist/ in ${Date.now() - started} ms\n`);
