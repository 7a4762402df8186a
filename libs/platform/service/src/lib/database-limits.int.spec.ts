import { Client } from 'pg';
import type { DataSource, MigrationInterface, QueryRunner } from 'typeorm';
import { createDataSource, MIGRATION_LOCK_TIMEOUT_MS, runMigrations } from '@identity/platform-event-store';
import { createTestDatabase } from '@identity/platform-testing';
import { isDatabaseUnavailable } from './problem-details';

class CreateAccounts1700000000001 implements MigrationInterface {
  name = 'CreateAccounts1700000000001';
  async up(db: QueryRunner): Promise<void> {
    await db.query(`CREATE TABLE accounts (id int PRIMARY KEY, balance int NOT NULL)`);
    await db.query(`INSERT INTO accounts VALUES (1, 0)`);
  }
  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE accounts`);
  }
}

/** Longer than the pool's statement timeout, as an index on a large table is. */
class SlowBackfill1700000000002 implements MigrationInterface {
  name = 'SlowBackfill1700000000002';
  async up(db: QueryRunner): Promise<void> {
    await db.query(`SELECT pg_sleep(0.6)`);
  }
  async down(): Promise<void> {}
}

class AddAccountOwner1700000000003 implements MigrationInterface {
  name = 'AddAccountOwner1700000000003';
  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE accounts ADD COLUMN owner text`);
  }
  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE accounts DROP COLUMN owner`);
  }
}

describe('time limits on the database (real PostgreSQL)', () => {
  let url: string;
  let dataSource: DataSource;

  beforeAll(async () => {
    url = await createTestDatabase();
    dataSource = createDataSource({
      url,
      migrations: [CreateAccounts1700000000001, SlowBackfill1700000000002],
      poolSize: 3,
      statementTimeoutMs: 300,
      idleInTransactionTimeoutMs: 300,
    });
    await dataSource.initialize();
  });

  afterAll(() => dataSource.destroy());

  it('runs migrations without the statement timeout, waiting as long as another process holds the migration lock', async () => {
    const otherPod = new Client({ connectionString: url });
    await otherPod.connect();
    try {
      await otherPod.query(`SELECT pg_advisory_lock(hashtextextended('identity-platform:migrations', 0))`);
      const migrated = runMigrations(dataSource);
      await new Promise((resolve) => setTimeout(resolve, 600));
      await otherPod.query(`SELECT pg_advisory_unlock(hashtextextended('identity-platform:migrations', 0))`);
      expect(await migrated).toEqual(['CreateAccounts1700000000001', 'SlowBackfill1700000000002']);
    } finally {
      await otherPod.end();
    }
    // The connection that waited went back to the pool with the statement timeout in force.
    const everyConnection = await Promise.allSettled([1, 2, 3].map(() => dataSource.query(`SELECT pg_sleep(1)`)));
    expect(everyConnection.map((outcome) => outcome.status === 'rejected' && (outcome.reason as { code?: string }).code)).toEqual(['57014', '57014', '57014']);
  });

  it('sets the limits on each connection by SET, not as startup parameters a pooler such as PgBouncer would refuse', async () => {
    const settings = (await dataSource.query(
      `SELECT name, setting, source FROM pg_settings WHERE name IN ('statement_timeout', 'idle_in_transaction_session_timeout') ORDER BY name`,
    )) as { name: string; setting: string; source: string }[];
    expect(settings).toEqual([
      { name: 'idle_in_transaction_session_timeout', setting: '300', source: 'session' },
      { name: 'statement_timeout', setting: '300', source: 'session' },
    ]);
  });

  it('cancels a statement past the timeout, as an error callers retry (a 503 with Retry-After, an event redelivered)', async () => {
    const started = Date.now();
    const error = await dataSource.query(`SELECT pg_sleep(5)`).then(
      () => null,
      (failure: unknown) => failure,
    );
    expect(error).toMatchObject({ code: '57014' });
    expect(isDatabaseUnavailable(error)).toBe(true);
    expect(Date.now() - started).toBeLessThan(4_000);
  });

  it('ends a transaction left idle, releasing the rows it locked', async () => {
    const stuck = dataSource.createQueryRunner();
    await stuck.connect();
    try {
      await stuck.startTransaction();
      await stuck.query(`SELECT * FROM accounts WHERE id = 1 FOR UPDATE`);
      await new Promise((resolve) => setTimeout(resolve, 800));
      // The lock went with the session: this update does not wait for it (nor time out).
      await dataSource.query(`UPDATE accounts SET balance = balance + 1 WHERE id = 1`);
      await expect(stuck.query(`UPDATE accounts SET balance = 100 WHERE id = 1`)).rejects.toThrow();
      expect((await dataSource.query(`SELECT balance FROM accounts WHERE id = 1`))[0].balance).toBe(1);
    } finally {
      await stuck.release().catch(() => undefined);
    }
  });

  it(`fails a migration that waits longer than ${MIGRATION_LOCK_TIMEOUT_MS} ms for a table lock, and applies it once the lock is gone`, async () => {
    const migrating = createDataSource({ url, migrations: [CreateAccounts1700000000001, SlowBackfill1700000000002, AddAccountOwner1700000000003], poolSize: 2 });
    await migrating.initialize();
    // A long report holds the table (a lock the ALTER TABLE must wait for).
    const report = new Client({ connectionString: url });
    await report.connect();
    try {
      await report.query('BEGIN');
      await report.query(`SELECT * FROM accounts`);
      const started = Date.now();
      const error = await runMigrations(migrating).then(
        () => null,
        (failure: unknown) => failure,
      );
      expect(error).toMatchObject({ code: '55P03' });
      expect(Date.now() - started).toBeGreaterThanOrEqual(MIGRATION_LOCK_TIMEOUT_MS - 100);
      expect(Date.now() - started).toBeLessThan(MIGRATION_LOCK_TIMEOUT_MS + 5_000);
      await report.query('COMMIT');
      expect(await runMigrations(migrating)).toEqual(['AddAccountOwner1700000000003']);
      expect((await migrating.query(`SELECT owner FROM accounts WHERE id = 1`))[0]).toEqual({ owner: null });
    } finally {
      await report.end();
      await migrating.destroy();
    }
  }, 30_000);
});
