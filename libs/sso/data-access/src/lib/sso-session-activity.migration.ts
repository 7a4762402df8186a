import type { MigrationInterface, QueryRunner } from 'typeorm';
import { CreateSsoSchema1764461800000 } from './sso.migration';
import { AddSsoConsoleAdmins1764462200000, AddSsoSessionsByTenant1764462900000 } from './sso-console-admins.migration';

/**
 * When a session was last used (an access token issued for it), for the idle timeout; and the
 * sessions by expiry, for purging ended ones. Sessions open at the upgrade count as used then, and
 * so do those a pod of the release before starts (its INSERT does not name the column).
 */
export class AddSsoSessionActivity1764463100000 implements MigrationInterface {
  name = 'AddSsoSessionActivity1764463100000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE sso.sessions ADD COLUMN last_active_at timestamptz NOT NULL DEFAULT now()`);
    await db.query(`CREATE INDEX sso_sessions_by_expiry ON sso.sessions (expires_at)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX sso.sso_sessions_by_expiry`);
    await db.query(`ALTER TABLE sso.sessions DROP COLUMN last_active_at`);
  }
}

/** The sso schema's migrations, in order. */
export const SSO_MIGRATIONS = [CreateSsoSchema1764461800000, AddSsoConsoleAdmins1764462200000, AddSsoSessionsByTenant1764462900000, AddSsoSessionActivity1764463100000];
