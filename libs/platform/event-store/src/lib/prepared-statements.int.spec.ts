import { Pool } from 'pg';
import { createTestDatabase } from '@identity/platform-testing';
import { createDataSource } from './database';
import { PLANNED_PER_CALL, PREPARED_STATEMENTS_PER_CONNECTION, PreparingClient } from './prepared-statements';

/** One connection, so that every query below runs in the session whose prepared statements it lists. */
describe('PreparingClient (real PostgreSQL)', () => {
  let url: string;
  let pool: Pool;

  beforeAll(async () => {
    url = await createTestDatabase();
    pool = new Pool({ connectionString: url, max: 1, Client: PreparingClient });
  });

  afterAll(() => pool.end());

  const preparedTexts = async () =>
    ((await pool.query(`SELECT statement FROM pg_prepared_statements WHERE name LIKE 'ip\\_%'`)).rows as { statement: string }[]).map((row) => row.statement);

  it('prepares a parameterised statement once per connection and answers each call with its own values', async () => {
    const text = `SELECT $1::int * 2 AS doubled`;
    const answers = [];
    for (const value of [1, 2, 3]) answers.push((await pool.query(text, [value])).rows[0].doubled);
    expect(answers).toEqual([2, 4, 6]);
    expect((await preparedTexts()).filter((statement) => statement === text)).toHaveLength(1);
  });

  it('keeps a statement that names its columns working when a migration adds a column under it; a prepared SELECT * breaks (why lint refuses it)', async () => {
    await pool.query(`CREATE TABLE rolling (id int PRIMARY KEY, name text)`);
    await pool.query(`INSERT INTO rolling VALUES (1, 'one')`);
    const named = `SELECT id, name FROM rolling WHERE id = $1`;
    const star = `SELECT * FROM rolling WHERE id = $1`;
    for (const text of [named, star]) expect((await pool.query(text, [1])).rows).toEqual([{ id: 1, name: 'one' }]);
    // The next release's migration, while this release's pods still serve.
    await pool.query(`ALTER TABLE rolling ADD COLUMN added text`);
    expect((await pool.query(named, [1])).rows).toEqual([{ id: 1, name: 'one' }]);
    await expect(pool.query(star, [1])).rejects.toThrow(/cached plan must not change result type/);
  });

  it('never prepares a statement marked to be planned per call, which PostgreSQL then plans for its values every time', async () => {
    const text = `${PLANNED_PER_CALL} SELECT $1::text || '!' AS shout`;
    const answers = [];
    for (const value of ['a', 'b', 'c', 'd', 'e', 'f', 'g']) answers.push((await pool.query(text, [value])).rows[0].shout);
    expect(answers).toEqual(['a!', 'b!', 'c!', 'd!', 'e!', 'f!', 'g!']);
    expect(await preparedTexts()).not.toContain(text);
  });

  it('keeps statements without parameters on the simple protocol, where one text may hold several statements', async () => {
    const results = (await pool.query(`SELECT 1 AS one; SELECT 2 AS two`)) as unknown as { rows: unknown[] }[];
    expect(results.map((result) => result.rows[0])).toEqual([{ one: 1 }, { two: 2 }]);
    expect(await preparedTexts()).not.toContain(`SELECT 1 AS one; SELECT 2 AS two`);
  });

  it('survives a prepared statement that fails inside a transaction, and a statement that never parsed', async () => {
    const divide = `SELECT 10 / $1::int AS quotient`;
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await expect(client.query(divide, [0])).rejects.toThrow(/division by zero/);
      await client.query('ROLLBACK');
      await expect(client.query(`SELEC $1::int`, [1])).rejects.toThrow(/syntax error/);
      expect((await client.query(divide, [5])).rows[0].quotient).toBe(2);
      expect((await client.query(`SELECT $1::int AS fixed`, [1])).rows[0].fixed).toBe(1);
    } finally {
      client.release();
    }
  });

  it(`keeps at most ${PREPARED_STATEMENTS_PER_CONNECTION} statements prepared on a connection and runs the rest unnamed`, async () => {
    for (let index = 0; index < PREPARED_STATEMENTS_PER_CONNECTION + 20; index++) {
      expect((await pool.query(`SELECT $1::int + ${index} AS shape_${index}`, [1])).rows[0][`shape_${index}`]).toBe(index + 1);
    }
    expect((await preparedTexts()).length).toBe(PREPARED_STATEMENTS_PER_CONNECTION);
  });

  it('is what a data source uses when asked for prepared statements, and only then', async () => {
    const sessionStatements = async (preparedStatements: boolean) => {
      const dataSource = createDataSource({ url, migrations: [], poolSize: 1, preparedStatements });
      await dataSource.initialize();
      try {
        await dataSource.query(`SELECT $1::text AS echoed`, ['x']);
        return ((await dataSource.query(`SELECT count(*)::int AS count FROM pg_prepared_statements`)) as { count: number }[])[0].count;
      } finally {
        await dataSource.destroy();
      }
    };
    expect(await sessionStatements(true)).toBe(1);
    expect(await sessionStatements(false)).toBe(0);
  });
});
