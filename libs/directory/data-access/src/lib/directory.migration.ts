import type { MigrationInterface, QueryRunner } from 'typeorm';
import { projectionProgressTableSql } from '@identity/platform-projections';
import { tenantAccessTablesSql } from '@identity/platform-tenancy';

export class CreateDirectorySchema1764460900000 implements MigrationInterface {
  name = 'CreateDirectorySchema1764460900000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`CREATE SCHEMA IF NOT EXISTS directory`);
    await db.query(projectionProgressTableSql('directory'));
    for (const statement of tenantAccessTablesSql('directory')) await db.query(statement);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP SCHEMA directory CASCADE`);
  }
}
