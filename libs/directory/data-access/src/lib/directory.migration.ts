import type { MigrationInterface, QueryRunner } from 'typeorm';
import { projectionProgressTableSql } from '@identity/platform-projections';
import { tenantAccessTablesSql } from '@identity/platform-tenancy';
import { CreateDirectorySites1764461100000 } from './sites.migration';
import { CreateDirectoryTelephony1764462000000 } from './telephony.projection';
import {
  AddDirectoryNamelessUsers1764462800000,
  AddDirectoryNameWords1764463000000,
  AddDirectorySearchOrder1764462400000,
  CreateDirectoryUsers1764461300000,
  IndexDirectoryNameWords1764463050000,
} from './users.migration';

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

/** The directory schema's migrations, in order. */
export const DIRECTORY_MIGRATIONS = [
  CreateDirectorySchema1764460900000,
  CreateDirectorySites1764461100000,
  CreateDirectoryUsers1764461300000,
  CreateDirectoryTelephony1764462000000,
  AddDirectorySearchOrder1764462400000,
  AddDirectoryNamelessUsers1764462800000,
  AddDirectoryNameWords1764463000000,
  IndexDirectoryNameWords1764463050000,
];
