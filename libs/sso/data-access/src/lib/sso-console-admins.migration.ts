import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Company admins who sign in through SSO: the app role that makes one, and whether a session is one. */
export class AddSsoConsoleAdmins1764462200000 implements MigrationInterface {
  name = 'AddSsoConsoleAdmins1764462200000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE sso.configurations ADD COLUMN admin_role text`);
    await db.query(`ALTER TABLE sso.sessions ADD COLUMN console_admin boolean NOT NULL DEFAULT false`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE sso.sessions DROP COLUMN console_admin`);
    await db.query(`ALTER TABLE sso.configurations DROP COLUMN admin_role`);
  }
}

/** A company's live sessions, which a withdrawn SSO configuration ends together (without reading every company's). */
export class AddSsoSessionsByTenant1764462900000 implements MigrationInterface {
  name = 'AddSsoSessionsByTenant1764462900000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`CREATE INDEX sso_sessions_live_by_tenant ON sso.sessions (tenant_id) WHERE revoked_at IS NULL`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX sso.sso_sessions_live_by_tenant`);
  }
}
