import { Client } from 'pg';
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

/** What every connection of a data source sets when it opens (and a migration connection sets back). */
const sessionSettings = new WeakMap<DataSource, string>();

export function createDataSource(options: DatabaseOptions): DataSource {
  const settings = [
    options.statementTimeoutMs ? `SET statement_timeout = ${Math.trunc(options.statementTimeoutMs)}` : '',
    options.idleInTransactionTimeoutMs ? `SET idle_in_transaction_session_timeout = ${Math.trunc(options.idleInTransactionTimeoutMs)}` : '',
  ]
    .filter(Boolean)
    .join('; ');
  const dataSource = new DataSource({
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
      Client: options.preparedStatements ? PreparingClient : Client,
      // Applied by the pool to each new connection before its first use (one that fails is ended,
      // not pooled). Not as startup parameters: a pooler such as PgBouncer refuses those it does not know.
      ...(settings ? { onConnect: (client: Client) => client.query(settings) } : {}),
    },
  });
  sessionSettings.set(dataSource, settings);
  return dataSource;
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
 * A connection of its own that holds a session-level advisory lock, which lives as long as the
 * session: when the holder's node dies, the server must notice within seconds, not after the
 * operating system's two hours of TCP keepalive silence, or the work the lock guards stalls that
 * long. (The keepalive settings are ignored where there is no TCP, as in the embedded database.)
 * Null when another session holds the lock.
 */
export async function tryLockSession(databaseUrl: string, applicationName: string, key: string): Promise<Client | null> {
  const client = new Client({ connectionString: databaseUrl, application_name: applicationName, keepAlive: true, keepAliveInitialDelayMillis: 10_000 });
  client.on('error', () => undefined);
  await client.connect();
  try {
    await client.query(`SET tcp_keepalives_idle = 10; SET tcp_keepalives_interval = 5; SET tcp_keepalives_count = 3`);
    const [{ locked }] = (await client.query<{ locked: boolean }>(`SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS locked`, [key])).rows;
    if (locked) return client;
  } catch (error) {
    await client.end().catch(() => undefined);
    throw error;
  }
  await client.end().catch(() => undefined);
  return null;
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
    // Back to what the pool's connections have (RESET would go to the server's default).
    await runner.query(sessionSettings.get(dataSource) || 'RESET statement_timeout').catch(() => undefined);
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
