import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The tenant setting that shows users the IdP creates in the company directory at once. */
export class AddScimNewUsersVisible1764461400000 implements MigrationInterface {
  name = 'AddScimNewUsersVisible1764461400000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE scim.settings ADD COLUMN new_users_visible boolean NOT NULL DEFAULT false`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE scim.settings DROP COLUMN new_users_visible`);
  }
}
