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

/**
 * Name search by any word of a name, accents and case aside: "beethoven" finds Ludwig van
 * Beethoven, "jose" finds José, "pierre" finds Jean-Pierre, "obrien" finds O'Brien. `name_key`
 * holds the folded words (a nameless user's username stands for the name, as the directory lists
 * it), kept by a trigger whoever writes the row (a release before this one too). Queries fold their
 * terms with the same functions, so the two sides cannot disagree. Adding the column is a catalog
 * change only; the rows are filled and indexed by the next migration, which lets reads go on.
 */
export class AddDirectoryNameWords1764463000000 implements MigrationInterface {
  name = 'AddDirectoryNameWords1764463000000';

  async up(db: QueryRunner): Promise<void> {
    // Latin letters with diacritics and the ligatures people type without them (the upper-case
    // Latin-1 ones too, for a ctype whose lower() is ASCII only). A hyphen separates words; an apostrophe joins
    // them: "jean-pierre" and "pierre" find Jean-Pierre, "obrien" and "o'brien" find O'Brien.
    await db.query(`
      CREATE FUNCTION directory.search_fold(value text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT translate(
          replace(replace(replace(replace(replace(lower(value), 'ß', 'ss'), 'æ', 'ae'), 'œ', 'oe'), 'þ', 'th'), 'ĳ', 'ij'),
          'àáâãäåāăąǎçćĉċčďđèéêëēĕėęěĝğġģĥħìíîïĩīĭįıǐĵķĺļľŀłñńņňŉòóôõöøōŏőǒŕŗřśŝşšșţťŧțùúûüũūŭůűųǔŵýÿŷźżžðÀÁÂÃÄÅÇÈÉÊËÌÍÎÏÑÒÓÔÕÖØÙÚÛÜÝ-''’',
          'aaaaaaaaaacccccddeeeeeeeeegggghhiiiiiiiiiijklllllnnnnnoooooooooorrrsssssttttuuuuuuuuuuuwyyyzzzdaaaaaaceeeeiiiinoooooouuuuy ')
      $$`);
    await db.query(`
      CREATE FUNCTION directory.name_key(given_name text, family_name text, user_name text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT ' ' || regexp_replace(
          directory.search_fold(CASE WHEN coalesce(given_name, '') = '' AND coalesce(family_name, '') = '' THEN user_name ELSE concat_ws(' ', given_name, family_name) END),
          '\\s+', ' ', 'g')
      $$`);
    // The LIKE pattern for names with a word that starts with the term; none for a term of separators only.
    await db.query(`
      CREATE FUNCTION directory.name_word_prefix(term text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT '% ' || regexp_replace(regexp_replace(nullif(trim(directory.search_fold(term)), ''), '\\s+', ' ', 'g'), '([\\\\%_])', '\\\\\\1', 'g') || '%'
      $$`);
    await db.query(`ALTER TABLE directory.users ADD COLUMN name_key text`);
    await db.query(`
      CREATE FUNCTION directory.keep_name_key() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          NEW.name_key := directory.name_key(NEW.given_name, NEW.family_name, NEW.user_name);
          RETURN NEW;
        END
      $$`);
    await db.query(`
      CREATE TRIGGER directory_users_name_key BEFORE INSERT OR UPDATE OF given_name, family_name, user_name ON directory.users
        FOR EACH ROW EXECUTE FUNCTION directory.keep_name_key()`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TRIGGER directory_users_name_key ON directory.users`);
    await db.query(`DROP FUNCTION directory.keep_name_key()`);
    await db.query(`ALTER TABLE directory.users DROP COLUMN name_key`);
    await db.query(`DROP FUNCTION directory.name_word_prefix(text), directory.name_key(text, text, text), directory.search_fold(text)`);
  }
}

/**
 * Fills `name_key` for the users there were and indexes it by trigram. The index is the whole
 * table's: a company's condition is met from a tenant index when the company is small among many,
 * or checked on the few rows the trigrams find (a company key in the index itself cost ten times
 * more on a company of 100,000). The update
 * holds the rows and the index build holds writes (the directory's projections wait), while
 * searches go on reading. The name indexes of the release before stay for its pods until a later one.
 */
export class IndexDirectoryNameWords1764463050000 implements MigrationInterface {
  name = 'IndexDirectoryNameWords1764463050000';

  async up(db: QueryRunner): Promise<void> {
    // A trusted extension: the database owner may create it (a managed service may need it allowed first).
    await db.query(`CREATE EXTENSION IF NOT EXISTS pg_trgm`);
    await db.query(`UPDATE directory.users SET name_key = directory.name_key(given_name, family_name, user_name) WHERE name_key IS NULL`);
    await db.query(`CREATE INDEX directory_users_by_name_words ON directory.users USING gin (name_key gin_trgm_ops)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX directory.directory_users_by_name_words`);
  }
}
