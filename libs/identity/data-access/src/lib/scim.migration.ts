import type { MigrationInterface, QueryRunner } from 'typeorm';
import { projectionProgressTableSql } from '@identity/platform-projections';
import { tenantAccessTablesSql } from '@identity/platform-tenancy';

/** The read models of scim-ingest: the SCIM view of users and groups, settings, tokens, sites, log. */
export class CreateScimSchema1764461200000 implements MigrationInterface {
  name = 'CreateScimSchema1764461200000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`CREATE SCHEMA IF NOT EXISTS scim`);
    await db.query(projectionProgressTableSql('scim'));
    for (const statement of tenantAccessTablesSql('scim')) await db.query(statement);
    await db.query(`
      CREATE TABLE scim.users (
        user_id uuid PRIMARY KEY,
        tenant_id uuid NOT NULL,
        user_name text NOT NULL,
        external_id text,
        active boolean NOT NULL,
        deleted boolean NOT NULL DEFAULT false,
        -- Deleted over SCIM: deactivated and kept in the product, but gone for the IdP (404).
        idp_deleted boolean NOT NULL DEFAULT false,
        owner text NOT NULL,
        idp text,
        given_name text,
        family_name text,
        email text,
        title text,
        department text,
        mobile_phone text,
        work_phone text,
        locale text,
        timezone text,
        site_id uuid,
        site_name text,
        created_at timestamptz NOT NULL,
        last_modified timestamptz NOT NULL,
        version integer NOT NULL
      )`);
    await db.query(`CREATE INDEX scim_users_by_user_name ON scim.users (tenant_id, lower(user_name))`);
    await db.query(`CREATE INDEX scim_users_by_external_id ON scim.users (tenant_id, external_id)`);
    await db.query(`CREATE INDEX scim_users_by_email ON scim.users (tenant_id, lower(email))`);
    await db.query(`CREATE INDEX scim_users_page ON scim.users (tenant_id, created_at, user_id)`);
    await db.query(`
      CREATE TABLE scim.groups (
        group_id uuid PRIMARY KEY,
        tenant_id uuid NOT NULL,
        display_name text NOT NULL,
        external_id text,
        deleted boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL,
        last_modified timestamptz NOT NULL,
        version integer NOT NULL
      )`);
    await db.query(`CREATE INDEX scim_groups_by_name ON scim.groups (tenant_id, lower(display_name))`);
    await db.query(`
      CREATE TABLE scim.group_members (
        group_id uuid NOT NULL,
        user_id uuid NOT NULL,
        PRIMARY KEY (group_id, user_id)
      )`);
    await db.query(`
      CREATE TABLE scim.settings (
        tenant_id uuid PRIMARY KEY,
        enabled boolean NOT NULL,
        idp text,
        retrieval text NOT NULL,
        updated_at timestamptz NOT NULL
      )`);
    await db.query(`
      CREATE TABLE scim.tokens (
        token_id text PRIMARY KEY,
        tenant_id uuid NOT NULL,
        token_hash char(64) NOT NULL UNIQUE,
        issued_at timestamptz NOT NULL,
        valid_until timestamptz,
        revoked_at timestamptz
      )`);
    // Every name a site had: the IdP's site value matches the current name or an earlier one.
    await db.query(`
      CREATE TABLE scim.site_names (
        tenant_id uuid NOT NULL,
        name text NOT NULL,
        site_id uuid NOT NULL,
        current boolean NOT NULL,
        PRIMARY KEY (tenant_id, name)
      )`);
    await db.query(`
      CREATE TABLE scim.provisioning_log (
        entry_id bigserial PRIMARY KEY,
        tenant_id uuid NOT NULL,
        at timestamptz NOT NULL DEFAULT now(),
        method text NOT NULL,
        path text NOT NULL,
        operation text NOT NULL,
        resource_type text,
        resource_id text,
        user_name text,
        status integer NOT NULL,
        outcome text NOT NULL CHECK (outcome IN ('success', 'failure')),
        error_type text,
        error_detail text,
        duration_ms integer NOT NULL,
        correlation_id text
      )`);
    await db.query(`CREATE INDEX scim_log_by_time ON scim.provisioning_log (tenant_id, at DESC)`);
    await db.query(`CREATE INDEX scim_log_failures ON scim.provisioning_log (tenant_id, at DESC) WHERE outcome = 'failure'`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP SCHEMA scim CASCADE`);
  }
}
