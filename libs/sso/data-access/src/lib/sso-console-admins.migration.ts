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
