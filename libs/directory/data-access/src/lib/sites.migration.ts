import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateDirectorySites1764461100000 implements MigrationInterface {
  name = 'CreateDirectorySites1764461100000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE directory.sites (
        site_id uuid PRIMARY KEY,
        tenant_id uuid NOT NULL,
        name text NOT NULL,
        created_at timestamptz NOT NULL,
        renamed_at timestamptz
      )`);
    await db.query(`CREATE INDEX directory_sites_by_tenant ON directory.sites (tenant_id, lower(name))`);
    await db.query(`
      CREATE TABLE directory.site_aliases (
        tenant_id uuid NOT NULL,
        alias text NOT NULL,
        site_id uuid NOT NULL,
        PRIMARY KEY (tenant_id, alias)
      )`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE directory.site_aliases, directory.sites`);
  }
}
