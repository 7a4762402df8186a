import { DataSource, type MigrationInterface, type QueryRunner } from 'typeorm';
import { PreparingClient } from './prepared-statements';

export interface DatabaseOptions {
  url: string;
  migrations: readonly (new () => MigrationInterface)[];
  poolSize?: number;
  applicationName?: string;
  /** Prepare parameterised statements once per connection (see PreparingClient); never for PGlite. */
  preparedStatements?: boolean;
  /** PostgreSQL cancels a statement that runs longer (57014); none when absent or 0. */
  statementTimeoutMs?: number;
  /** PostgreSQL ends a session whose transaction sits idle this long, releasing its locks; none when absent or 0. */
  idleInTransactionTimeoutMs?: number;
}

/**
 * How long a migration waits for a table lock before it fails (and the service or Job retries):
 * an ALTER TABLE queued behind a long query would otherwise make every query after it wait too.
 * Its statements themselves have no time limit: an index on a large table takes what it takes.
 */
export const MIGRATION_LOCK_TIMEOUT_MS = 10_000;

export function createDataSource(options: DatabaseOptions): DataSource {
  return new DataSource({
    type: 'postgres',
    url: options.url,
    migrations: options.migrations.map(withMigrationLimits),
    migrationsTransactionMode: 'each',
    synchronize: false,
    logging: false,
    applicationName: options.applicationName,
    invalidWhereValuesBehavior: { null: 'throw', undefined: 'throw' },
    extra: {
      max: options.poolSize ?? 10,
      connectionTimeoutMillis: 5_000,
      ...(options.preparedStatements ? { Client: PreparingClient } : {}),
      ...(options.statementTimeoutMs ? { statement_timeout: options.statementTimeoutMs } : {}),
      ...(options.idleInTransactionTimeoutMs ? { idle_in_transaction_session_timeout: options.idleInTransactionTimeoutMs } : {}),
    },
  });
}

/** The migration, run without the pool's statement timeout and with MIGRATION_LOCK_TIMEOUT_MS (its transaction only). */
function withMigrationLimits(migration: new () => MigrationInterface): new () => MigrationInterface {
  const limited = class extends migration {
    override async up(db: QueryRunner): Promise<unknown> {
      await db.query(`SET LOCAL statement_timeout = 0`);
      await db.query(`SET LOCAL lock_timeout = ${MIGRATION_LOCK_TIMEOUT_MS}`);
      return super.up(db);
    }
  };
  // TypeORM orders and records migrations by name (the instance's, else the class's).
  Object.defineProperty(limited, 'name', { value: migration.name });
  return limited;
}

export function poolSizeOf(dataSource: DataSource): number {
  return (dataSource.options.extra as { max?: number } | undefined)?.max ?? 10;
}

/** The embedded database (PGlite) has one session: a second connection waits for the first's transaction. */
export async function isSingleSessionDatabase(dataSource: DataSource): Promise<boolean> {
  const [{ version }] = (await dataSource.query(`SELECT version()`)) as { version: string }[];
  return version.includes('PGlite');
}

/**
 * Runs the pending migrations under an advisory lock, so that services starting together (or a
 * migration Job racing a pod) never run the same migration twice.
 */
export async function runMigrations(dataSource: DataSource): Promise<string[]> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    // Another pod's migrations may hold the lock for longer than a statement may last.
    await runner.query(`SET statement_timeout = 0`);
    await runner.query(`SELECT pg_advisory_lock(hashtextextended('identity-platform:migrations', 0))`);
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    return applied.map((migration) => migration.name);
  } finally {
    await runner.query(`SELECT pg_advisory_unlock(hashtextextended('identity-platform:migrations', 0))`).catch(() => undefined);
    await runner.query(`RESET statement_timeout`).catch(() => undefined);
    await runner.release();
  }
}

/**
 * The rows of a query's RETURNING clause. TypeORM answers an UPDATE or DELETE ... RETURNING with
 * `[rows, affectedCount]` and an INSERT ... RETURNING with the rows themselves.
 */
export function returnedRows<T>(result: unknown): T[] {
  const list = result as unknown[];
  return (Array.isArray(list[0]) ? list[0] : list) as T[];
}

/**
 * The ORDER BY of a list sorted as asked: `sort` is one of the map's fields, `-field` for
 * descending; the columns come from the map, never from the request. `tieBreaker` (a unique
 * column) keeps pages stable.
 */
export function orderByClause(sort: string, columns: Readonly<Record<string, string>>, tieBreaker: string): string {
  const descending = sort.startsWith('-');
  const column = columns[descending ? sort.slice(1) : sort];
  if (column === undefined) throw new Error(`no sort "${sort}" here`);
  const direction = descending ? 'DESC' : 'ASC';
  return `${column} ${direction} NULLS LAST, ${tieBreaker} ${direction}`;
}
