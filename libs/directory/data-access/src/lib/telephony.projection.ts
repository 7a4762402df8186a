import type { EntityManager } from 'typeorm';
import type { MigrationInterface, QueryRunner } from 'typeorm';
import { TOPICS, telephonyProfileChange, type IntegrationEvent } from '@identity/contracts';
import type { Projection } from '@identity/platform-projections';

/** Each user's extension and direct number, for the directories; apart from users so the events may arrive in any order. */
export class CreateDirectoryTelephony1764462000000 implements MigrationInterface {
  name = 'CreateDirectoryTelephony1764462000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE directory.user_telephony (
        user_id uuid PRIMARY KEY,
        tenant_id uuid NOT NULL,
        extension text,
        direct_number text,
        direct_digits text
      )`);
    await db.query(`CREATE INDEX directory_user_telephony_by_extension ON directory.user_telephony (tenant_id, extension text_pattern_ops)`);
    await db.query(`CREATE INDEX directory_user_telephony_by_direct_digits ON directory.user_telephony (tenant_id, direct_digits text_pattern_ops)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE directory.user_telephony`);
  }
}

export const directoryTelephonyProjection: Projection = {
  name: 'directory.telephony',
  schema: 'directory',
  topics: [TOPICS.licensingTelephony.name],
  async apply(manager: EntityManager, event: IntegrationEvent): Promise<void> {
    const change = telephonyProfileChange(event);
    if (!change) return;
    if (change.field === 'extension') {
      await manager.query(
        `INSERT INTO directory.user_telephony (user_id, tenant_id, extension) VALUES ($1, $2, $3)
         ON CONFLICT (user_id) DO UPDATE SET extension = excluded.extension`,
        [event.aggregateId, event.tenantId, change.value],
      );
      return;
    }
    await manager.query(
      `INSERT INTO directory.user_telephony (user_id, tenant_id, direct_number, direct_digits) VALUES ($1, $2, $3, $4)
       ON CONFLICT (user_id) DO UPDATE SET direct_number = excluded.direct_number, direct_digits = excluded.direct_digits`,
      [event.aggregateId, event.tenantId, change.value, change.value?.replace(/[^0-9]/g, '') ?? null],
    );
  },
  async reset(manager: EntityManager): Promise<void> {
    await manager.query(`TRUNCATE directory.user_telephony`);
  },
};
