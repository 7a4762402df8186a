import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createDataSource, publishAsIs } from '@identity/platform-event-store';
import { rebuildProjection, type Projection, type RebuildResult } from '@identity/platform-projections';
import { SERVICES } from '@identity/service-catalog';
import { CliError, output, type Invocation } from './cli-runtime';

/** Every read model of the platform; `projections rebuild NAME` takes a full name or its context (`directory`). */
export const PROJECTIONS: readonly Projection[] = [
  ...new Map(
    SERVICES.flatMap((service) => [...service.projections, ...service.inlineOnlyProjections]).map((projection) => [projection.name, projection]),
  ).values(),
];

function databaseUrl(): string {
  if (process.env.DATABASE_URL) return process.env.DATABASE_URL;
  const file = path.resolve(process.env.EMBEDDED_DATA_DIR ?? '.data', 'database-url');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  throw new CliError('no database: set DATABASE_URL (a running embedded stack is found through .data/database-url)');
}

export const projectionCommands = {
  async list(invocation: Invocation): Promise<void> {
    const rows = PROJECTIONS.map((projection) => ({ name: projection.name, schema: projection.schema, topics: projection.topics }));
    output(invocation, rows, () => rows.map((row) => `${row.name}  (${row.topics.join(', ')})`).join('\n'));
  },

  async rebuild(invocation: Invocation): Promise<void> {
    const wanted = invocation.words[2];
    if (!wanted) throw new CliError('which projection? e.g. projections rebuild directory (see projections list)');
    const selected = PROJECTIONS.filter((projection) => projection.name === wanted || projection.name.startsWith(`${wanted}.`));
    if (selected.length === 0) throw new CliError(`no projection named ${wanted} (see projections list)`);
    const dataSource = createDataSource({ url: databaseUrl(), migrations: [], poolSize: 2, applicationName: 'cli-rebuild' });
    await dataSource.initialize();
    try {
      const results: RebuildResult[] = [];
      for (const projection of selected) {
        process.stderr.write(`rebuilding ${projection.name}...\n`);
        results.push(
          await rebuildProjection(dataSource, projection, publishAsIs, (read) => void process.stderr.write(`\r  ${read} events replayed`)),
        );
        process.stderr.write('\n');
      }
      output(invocation, results, () =>
        results.map((result) => `${result.projection}: ${result.eventsApplied} of ${result.eventsRead} events applied in ${result.durationMs} ms`).join('\n'),
      );
    } finally {
      await dataSource.destroy();
    }
  },
};
