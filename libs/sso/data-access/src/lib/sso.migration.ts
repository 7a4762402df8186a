import type { MigrationInterface, QueryRunner } from 'typeorm';
import { projectionProgressTableSql } from '@identity/platform-projections';
import { tenantAccessTablesSql } from '@identity/platform-tenancy';

export class CreateSsoSchema1764461800000 implements MigrationInterface {
  name = 'CreateSsoSchema1764461800000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`CREATE SCHEMA IF NOT EXISTS sso`);
    await db.query(projectionProgressTableSql('sso'));
    for (const sql of tenantAccessTablesSql('sso')) await db.query(sql);
    // The configuration in force per company (from its private SsoConfigured events).
    await db.query(`
      CREATE TABLE sso.configurations (
        tenant_id uuid PRIMARY KEY,
        enabled boolean NOT NULL,
        idp text NOT NULL,
        sign_in_url text,
        issuer text,
        sign_out_url text,
        certificates jsonb NOT NULL,
        updated_at timestamptz NOT NULL
      )`);
    await db.query(`CREATE INDEX sso_configurations_by_issuer ON sso.configurations (issuer) WHERE enabled`);
    // Login eligibility: who may sign in, from user events, so sign-in never calls another service.
    await db.query(`
      CREATE TABLE sso.login_accounts (
        user_id uuid PRIMARY KEY,
        tenant_id uuid NOT NULL,
        user_name text NOT NULL,
        status text NOT NULL CHECK (status IN ('active', 'deactivated', 'deleted')),
        updated_at timestamptz NOT NULL
      )`);
    await db.query(`CREATE INDEX sso_login_accounts_by_user_name ON sso.login_accounts (lower(user_name)) WHERE status <> 'deleted'`);
    // AuthnRequests we sent, bound to the company that sent them (InResponseTo must match one).
    await db.query(`
      CREATE TABLE sso.authn_requests (
        request_id text PRIMARY KEY,
        tenant_id uuid NOT NULL,
        issued_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL
      )`);
    await db.query(`CREATE INDEX sso_authn_requests_expiry ON sso.authn_requests (expires_at)`);
    // Assertion IDs already consumed, kept while the assertion could still be replayed (all pods share it).
    await db.query(`
      CREATE TABLE sso.consumed_assertions (
        tenant_id uuid NOT NULL,
        assertion_id text NOT NULL,
        expires_at timestamptz NOT NULL,
        PRIMARY KEY (tenant_id, assertion_id)
      )`);
    await db.query(`CREATE INDEX sso_consumed_assertions_expiry ON sso.consumed_assertions (expires_at)`);
    // Server-side sessions: the browser holds a random secret, we keep its hash.
    await db.query(`
      CREATE TABLE sso.sessions (
        session_id uuid PRIMARY KEY,
        secret_hash char(64) NOT NULL UNIQUE,
        tenant_id uuid NOT NULL,
        user_id uuid NOT NULL,
        user_name text NOT NULL,
        session_index text,
        created_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL,
        revoked_at timestamptz,
        revoked_reason text
      )`);
    await db.query(`CREATE INDEX sso_sessions_live_by_user ON sso.sessions (user_id) WHERE revoked_at IS NULL`);
    // Keys that sign access tokens; every pod signs with the newest and publishes all live ones.
    await db.query(`
      CREATE TABLE sso.signing_keys (
        key_id text PRIMARY KEY,
        private_key_pem text NOT NULL,
        public_jwk jsonb NOT NULL,
        created_at timestamptz NOT NULL
      )`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP SCHEMA sso CASCADE`);
  }
}
