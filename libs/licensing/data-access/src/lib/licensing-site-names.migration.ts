import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Each site's current name, so that rules and lists match a renamed site by its new name. */
export class AddLicensingSiteNames1764462500000 implements MigrationInterface {
  name = 'AddLicensingSiteNames1764462500000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`CREATE TABLE licensing.site_names (site_id uuid PRIMARY KEY, tenant_id uuid NOT NULL, name text NOT NULL)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE licensing.site_names`);
  }
}
