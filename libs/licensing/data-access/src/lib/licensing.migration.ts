import type { MigrationInterface, QueryRunner } from 'typeorm';
import { projectionProgressTableSql } from '@identity/platform-projections';

export class CreateLicensingSchema1764461000000 implements MigrationInterface {
  name = 'CreateLicensingSchema1764461000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`CREATE SCHEMA IF NOT EXISTS licensing`);
    await db.query(projectionProgressTableSql('licensing'));
    // What licensing knows of each user, so that every assignment rule is decided locally.
    await db.query(`
      CREATE TABLE licensing.users (
        user_id uuid PRIMARY KEY,
        tenant_id uuid NOT NULL,
        user_name text NOT NULL,
        status text NOT NULL CHECK (status IN ('active', 'deactivated', 'deleted')),
        site_id uuid,
        updated_at timestamptz NOT NULL
      )`);
    await db.query(`CREATE INDEX licensing_users_by_tenant ON licensing.users (tenant_id, user_name)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP SCHEMA licensing CASCADE`);
  }
}
