// `npm run cli -- ...`: compiles (about 0.1 s) and runs the operators' CLI.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const build = spawnSync(process.execPath, [path.join(root, 'tools/build/build.mjs')], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
if (build.status !== 0) {
  process.stderr.write(build.stderr);
  process.exit(build.status ?? 1);
}
const cli = spawnSync(process.execPath, [path.join(root, 'dist/tools/cli/main.js'), ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(cli.status ?? 1);
