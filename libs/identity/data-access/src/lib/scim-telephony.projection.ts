import type { EntityManager, MigrationInterface, QueryRunner } from 'typeorm';
import { TOPICS, telephonyProfileChange, type IntegrationEvent } from '@identity/contracts';
import type { Projection } from '@identity/platform-projections';

/** The extension and direct number an admin assigned, which SCIM GET shows read-only. */
export class AddScimTelephony1764462100000 implements MigrationInterface {
  name = 'AddScimTelephony1764462100000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`CREATE TABLE scim.user_telephony (user_id uuid PRIMARY KEY, extension text, direct_number text)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE scim.user_telephony`);
  }
}

/**
 * When an extension, a number or a site name last changed what SCIM shows of a user, for its
 * meta.lastModified. Empty for changes before this release; a rebuild of scim.telephony and
 * scim.sites fills it in.
 */
export class AddScimOtherStreamsModified1764462400000 implements MigrationInterface {
  name = 'AddScimOtherStreamsModified1764462400000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE scim.user_telephony ADD COLUMN changed_at timestamptz`);
    await db.query(`ALTER TABLE scim.site_names ADD COLUMN named_at timestamptz`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE scim.site_names DROP COLUMN named_at`);
    await db.query(`ALTER TABLE scim.user_telephony DROP COLUMN changed_at`);
  }
}

export const scimTelephonyProjection: Projection = {
  name: 'scim.telephony',
  schema: 'scim',
  topics: [TOPICS.licensingTelephony.name],
  async apply(manager: EntityManager, event: IntegrationEvent): Promise<void> {
    const change = telephonyProfileChange(event);
    if (!change) return;
    const column = change.field === 'extension' ? 'extension' : 'direct_number';
    await manager.query(
      `INSERT INTO scim.user_telephony (user_id, ${column}, changed_at) VALUES ($1, $2, $3)
       ON CONFLICT (user_id) DO UPDATE SET ${column} = excluded.${column}, changed_at = excluded.changed_at`,
      [event.aggregateId, change.value, event.occurredAt],
    );
  },
  async reset(manager: EntityManager): Promise<void> {
    await manager.query(`TRUNCATE scim.user_telephony`);
  },
};
