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

export const scimTelephonyProjection: Projection = {
  name: 'scim.telephony',
  schema: 'scim',
  topics: [TOPICS.licensingTelephony.name],
  async apply(manager: EntityManager, event: IntegrationEvent): Promise<void> {
    const change = telephonyProfileChange(event);
    if (!change) return;
    const column = change.field === 'extension' ? 'extension' : 'direct_number';
    await manager.query(`INSERT INTO scim.user_telephony (user_id, ${column}) VALUES ($1, $2) ON CONFLICT (user_id) DO UPDATE SET ${column} = excluded.${column}`, [
      event.aggregateId,
      change.value,
    ]);
  },
  async reset(manager: EntityManager): Promise<void> {
    await manager.query(`TRUNCATE scim.user_telephony`);
  },
};
