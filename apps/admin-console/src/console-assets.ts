import { existsSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';

/** What the console serves besides its page: one script bundle, built once per process. */
export interface ConsoleBundle {
  script: string;
}

/**
 * Bundles the browser code with Preact at start-up, in memory. The workspace build compiles
 * `web/*.ts` to CommonJS in dist/ like everything else, so the same bundler call works from dist
 * (the image holds only dist/ and node_modules) and from the TypeScript sources (unit specs).
 */
export async function bundleConsole(): Promise<ConsoleBundle> {
  const web = path.resolve(__dirname, '../web');
  const entry = ['main.js', 'main.ts'].map((name) => path.join(web, name)).find((file) => existsSync(file));
  if (!entry) throw new Error(`admin console: no browser entry point in ${web}`);
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: ['chrome110', 'firefox110', 'safari16'],
    minify: true,
    legalComments: 'none',
    logLevel: 'silent',
    define: { 'process.env.NODE_ENV': '"production"' },
  });
  return { script: result.outputFiles[0].text };
}
