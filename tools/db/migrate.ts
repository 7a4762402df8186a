import 'reflect-metadata';
import { createDataSource, runMigrations } from '@identity/platform-event-store';
import { SERVICES } from '@identity/service-catalog';

/**
 * Runs every service's pending migrations once, under the migration lock: the Kubernetes Job of a
 * release runs this, and the services start with MIGRATIONS_RUN=false.
 */
async function main(): Promise<void> {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is required');
  const migrations = [...new Map(SERVICES.flatMap((service) => service.migrations).map((migration) => [migration.name, migration])).values()];
  const dataSource = createDataSource({ url, migrations, poolSize: 2, applicationName: 'migrations' });
  await dataSource.initialize();
  try {
    const applied = await runMigrations(dataSource);
    process.stdout.write(`${JSON.stringify({ level: 'info', msg: 'migrations applied', migrations: applied })}\n`);
  } finally {
    await dataSource.destroy();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`migrations failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
