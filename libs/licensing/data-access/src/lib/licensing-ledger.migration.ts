import type { MigrationInterface, QueryRunner } from 'typeorm';
import { tenantAccessTablesSql } from '@identity/platform-tenancy';

/** Seats, licenses, rules and import jobs; user attributes the auto-assignment rules read. */
export class CreateLicensingLedger1764461600000 implements MigrationInterface {
  name = 'CreateLicensingLedger1764461600000';

  async up(db: QueryRunner): Promise<void> {
    for (const statement of tenantAccessTablesSql('licensing')) await db.query(statement);
    await db.query(`ALTER TABLE licensing.users ADD COLUMN department text, ADD COLUMN title text, ADD COLUMN site_name text, ADD COLUMN version integer NOT NULL DEFAULT 0`);
    await db.query(`CREATE INDEX licensing_users_by_name ON licensing.users (tenant_id, lower(user_name))`);
    // The seat ledger: a seat is taken by a conditional update in the assigning transaction, so
    // concurrent assignments (on any number of instances) can never take more seats than exist.
    await db.query(`
      CREATE TABLE licensing.seats (
        tenant_id uuid NOT NULL,
        plan text NOT NULL,
        total integer NOT NULL CHECK (total >= 0),
        used integer NOT NULL DEFAULT 0 CHECK (used >= 0 AND used <= total),
        PRIMARY KEY (tenant_id, plan)
      )`);
    await db.query(`
      CREATE TABLE licensing.user_licenses (
        user_id uuid PRIMARY KEY,
        tenant_id uuid NOT NULL,
        plan text NOT NULL,
        assigned_at timestamptz NOT NULL
      )`);
    await db.query(`CREATE INDEX licensing_user_licenses_by_tenant ON licensing.user_licenses (tenant_id, plan)`);
    await db.query(`
      CREATE TABLE licensing.rules (
        tenant_id uuid NOT NULL,
        position integer NOT NULL,
        attribute text NOT NULL,
        value text NOT NULL,
        plan text NOT NULL,
        PRIMARY KEY (tenant_id, position)
      )`);
    await db.query(`
      CREATE TABLE licensing.unserved (
        user_id uuid PRIMARY KEY,
        tenant_id uuid NOT NULL,
        plan text NOT NULL,
        reason text NOT NULL,
        at timestamptz NOT NULL
      )`);
    await db.query(`
      CREATE TABLE licensing.import_jobs (
        job_id uuid PRIMARY KEY,
        tenant_id uuid NOT NULL,
        dry_run boolean NOT NULL,
        status text NOT NULL CHECK (status IN ('queued', 'running', 'finished', 'failed')),
        total integer NOT NULL,
        processed integer NOT NULL DEFAULT 0,
        csv text NOT NULL,
        results jsonb NOT NULL DEFAULT '[]',
        error text,
        created_at timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz
      )`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE licensing.import_jobs, licensing.unserved, licensing.rules, licensing.user_licenses, licensing.seats, licensing.tenants, licensing.admin_tokens`);
  }
}
