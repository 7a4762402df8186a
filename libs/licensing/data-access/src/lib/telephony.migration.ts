import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Extension plans, number pools and who holds which extension and number. */
export class CreateLicensingTelephony1764461900000 implements MigrationInterface {
  name = 'CreateLicensingTelephony1764461900000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE licensing.telephony_settings (
        tenant_id uuid PRIMARY KEY,
        extension_length int,
        range_start int,
        range_end int,
        auto_assign_extension boolean NOT NULL,
        auto_assign_number boolean NOT NULL,
        quarantine_days int NOT NULL,
        updated_at timestamptz NOT NULL
      )`);
    await db.query(`
      CREATE TABLE licensing.phone_numbers (
        tenant_id uuid NOT NULL,
        number text NOT NULL,
        user_id uuid UNIQUE,
        quarantined_until timestamptz,
        imported_at timestamptz NOT NULL,
        PRIMARY KEY (tenant_id, number)
      )`);
    await db.query(`
      CREATE TABLE licensing.extensions (
        tenant_id uuid NOT NULL,
        extension text NOT NULL,
        user_id uuid NOT NULL UNIQUE,
        PRIMARY KEY (tenant_id, extension)
      )`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE licensing.extensions, licensing.phone_numbers, licensing.telephony_settings`);
  }
}
