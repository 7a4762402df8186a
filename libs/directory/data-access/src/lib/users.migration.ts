import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The admin user list and the company directory, projected from user events. */
export class CreateDirectoryUsers1764461300000 implements MigrationInterface {
  name = 'CreateDirectoryUsers1764461300000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE directory.users (
        user_id uuid PRIMARY KEY,
        tenant_id uuid NOT NULL,
        user_name text NOT NULL,
        external_id text,
        status text NOT NULL CHECK (status IN ('active', 'deactivated')),
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
        visible boolean NOT NULL DEFAULT false,
        -- Digits only, for number-prefix search whatever the IdP's formatting.
        mobile_digits text GENERATED ALWAYS AS (nullif(regexp_replace(coalesce(mobile_phone, ''), '[^0-9]', '', 'g'), '')) STORED,
        work_digits text GENERATED ALWAYS AS (nullif(regexp_replace(coalesce(work_phone, ''), '[^0-9]', '', 'g'), '')) STORED,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        version integer NOT NULL
      )`);
    await db.query(`CREATE INDEX directory_users_by_user_name ON directory.users (tenant_id, lower(user_name) text_pattern_ops)`);
    await db.query(`CREATE INDEX directory_users_by_given_name ON directory.users (tenant_id, lower(given_name) text_pattern_ops)`);
    await db.query(`CREATE INDEX directory_users_by_family_name ON directory.users (tenant_id, lower(family_name) text_pattern_ops)`);
    await db.query(`CREATE INDEX directory_users_by_mobile ON directory.users (tenant_id, mobile_digits text_pattern_ops)`);
    await db.query(`CREATE INDEX directory_users_by_work_phone ON directory.users (tenant_id, work_digits text_pattern_ops)`);
    await db.query(`CREATE INDEX directory_users_page ON directory.users (tenant_id, created_at, user_id)`);
    // Written by licensing events, in whatever order they arrive relative to the user's own events.
    await db.query(`
      CREATE TABLE directory.user_licenses (
        user_id uuid PRIMARY KEY,
        tenant_id uuid NOT NULL,
        plan text NOT NULL,
        assigned_at timestamptz NOT NULL
      )`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE directory.user_licenses, directory.users`);
  }
}

/** The directory's name order over the people it shows, so a search with many matches reads a page and stops. */
export class AddDirectorySearchOrder1764462400000 implements MigrationInterface {
  name = 'AddDirectorySearchOrder1764462400000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`CREATE INDEX directory_users_directory_order ON directory.users (tenant_id, lower(family_name), lower(given_name), user_id) WHERE visible AND status = 'active'`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX directory.directory_users_directory_order`);
  }
}

/** Users without names, by username: the directory lists and finds them by it, and a name search must not read everyone's username for them. */
export class AddDirectoryNamelessUsers1764462800000 implements MigrationInterface {
  name = 'AddDirectoryNamelessUsers1764462800000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(
      `CREATE INDEX directory_users_nameless_by_user_name ON directory.users (tenant_id, lower(user_name) text_pattern_ops) WHERE coalesce(given_name, '') = '' AND coalesce(family_name, '') = ''`,
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX directory.directory_users_nameless_by_user_name`);
  }
}
