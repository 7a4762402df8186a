import { Module } from '@nestjs/common';

/** The SCIM 2.0 endpoints arrive with the SCIM ingest issue. */
@Module({})
export class ScimIngestModule {}
