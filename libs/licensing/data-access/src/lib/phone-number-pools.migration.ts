import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A direct number belongs to one company's pool. The index serves the import's check against the
 * other pools; the reservations make the pools already imported hold their numbers like new imports
 * do. A number two companies imported before this stays in both pools (operators settle it); its
 * reservation goes to the earlier import, and either company may import its usual file again.
 */
export class ReservePhoneNumberPools1764462600000 implements MigrationInterface {
  name = 'ReservePhoneNumberPools1764462600000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`CREATE INDEX phone_numbers_number ON licensing.phone_numbers (number)`);
    await db.query(
      `INSERT INTO event_store.reservations (scope, key, stream_id)
       SELECT DISTINCT ON (number) 'phone-number-pool', number, 'telephony-settings-' || tenant_id FROM licensing.phone_numbers ORDER BY number, imported_at
       ON CONFLICT DO NOTHING`,
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DELETE FROM event_store.reservations WHERE scope = 'phone-number-pool'`);
    await db.query(`DROP INDEX licensing.phone_numbers_number`);
  }
}
