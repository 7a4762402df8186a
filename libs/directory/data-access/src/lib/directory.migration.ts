import type { MigrationInterface, QueryRunner } from 'typeorm';
import { projectionProgressTableSql } from '@identity/platform-projections';

export class CreateDirectorySchema1764460900000 implements MigrationInterface {
  name = 'CreateDirectorySchema1764460900000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`CREATE SCHEMA IF NOT EXISTS directory`);
    await db.query(projectionProgressTableSql('directory'));
    await db.query(`
      CREATE TABLE directory.tenants (
        tenant_id uuid PRIMARY KEY,
        name text NOT NULL,
        created_at timestamptz NOT NULL
      )`);
    await db.query(`CREATE INDEX tenants_by_name ON directory.tenants (lower(name), tenant_id)`);
    await db.query(`
      CREATE TABLE directory.admin_tokens (
        token_id uuid PRIMARY KEY,
        tenant_id uuid NOT NULL,
        token_hash char(64) NOT NULL UNIQUE,
        label text NOT NULL,
        issued_at timestamptz NOT NULL,
        revoked_at timestamptz
      )`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP SCHEMA directory CASCADE`);
  }
}
