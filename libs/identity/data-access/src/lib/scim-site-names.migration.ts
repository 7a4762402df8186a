import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Users whose IdP still sends a site name from before a rename, for the admin to fix in the IdP. */
export class AddScimStaleSiteNames1764461500000 implements MigrationInterface {
  name = 'AddScimStaleSiteNames1764461500000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE scim.stale_site_names (
        user_id uuid PRIMARY KEY,
        tenant_id uuid NOT NULL,
        sent_name text NOT NULL,
        site_id uuid NOT NULL,
        last_seen timestamptz NOT NULL
      )`);
    await db.query(`CREATE INDEX scim_stale_site_names_by_tenant ON scim.stale_site_names (tenant_id, last_seen DESC)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE scim.stale_site_names`);
  }
}

/** One user's provisioning history (the admin console's user page) without scanning the company's log. */
export class AddScimLogByUser1764462300000 implements MigrationInterface {
  name = 'AddScimLogByUser1764462300000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`CREATE INDEX scim_log_by_resource ON scim.provisioning_log (tenant_id, resource_id, at DESC)`);
    await db.query(`CREATE INDEX scim_log_by_user_name ON scim.provisioning_log (tenant_id, lower(user_name), at DESC)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX scim.scim_log_by_user_name`);
    await db.query(`DROP INDEX scim.scim_log_by_resource`);
  }
}
