// `npm run lint`: refresh the Nx project graph (the module-boundary rule reads it), then ESLint.
// A rule that silently skips because the graph is missing is a failure here, not a warning.
import { spawnSync } from 'node:child_process';

const env = { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false' };
const graph = spawnSync('npx', ['nx', 'show', 'projects'], { env, encoding: 'utf8' });
if (graph.status !== 0) {
  process.stderr.write(graph.stdout + graph.stderr);
  process.exit(graph.status ?? 1);
}
const lint = spawnSync('npx', ['eslint', '--max-warnings', '0', ...(process.argv.slice(2).length ? process.argv.slice(2) : ['.'])], {
  env,
  encoding: 'utf8',
});
process.stdout.write(lint.stdout);
process.stderr.write(lint.stderr);
if (/No cached ProjectGraph/.test(lint.stdout + lint.stderr)) {
  process.stderr.write('lint: the module-boundary rule could not read the project graph\n');
  process.exit(1);
}
process.exit(lint.status ?? 1);
