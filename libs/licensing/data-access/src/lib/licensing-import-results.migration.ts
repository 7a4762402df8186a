import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Import results row by row, appended in batches (a job's results no longer grow one JSON value). */
export class CreateLicensingImportResults1764461700000 implements MigrationInterface {
  name = 'CreateLicensingImportResults1764461700000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE licensing.import_results (
        job_id uuid NOT NULL,
        line integer NOT NULL,
        user_name text NOT NULL,
        plan text NOT NULL,
        action text NOT NULL,
        outcome text NOT NULL,
        error text,
        PRIMARY KEY (job_id, line)
      )`);
    await db.query(`ALTER TABLE licensing.import_jobs DROP COLUMN results`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE licensing.import_jobs ADD COLUMN results jsonb NOT NULL DEFAULT '[]'`);
    await db.query(`DROP TABLE licensing.import_results`);
  }
}
