import type { Type } from '@nestjs/common';
import type { MigrationInterface } from 'typeorm';
import type { Projection } from '@identity/platform-projections';
import type { ConfigVariable } from './config';
import type { ErrorMapper, ProtocolErrorRenderer } from './problem-details';

/** What makes a deployable: its module, configuration, schema, read models and public paths. */
export interface ServiceDefinition {
  name: string;
  /** Variables this service reads on top of the common ones. */
  config: readonly ConfigVariable[];
  module: Type<unknown>;
  migrations: readonly (new () => MigrationInterface)[];
  /** Read models this service keeps up to date from the bus. */
  projections: readonly Projection[];
  /** Read models only this service's own writes change, applied in the writing transaction. */
  inlineOnlyProjections: readonly Projection[];
  /** Public path prefixes this service answers (the ingress and the embedded router route by them). */
  publicPrefixes: readonly string[];
  runsRelay: boolean;
  errorMappers: readonly ErrorMapper[];
  /** Serves the OpenAPI document of the service's admin API at `path` (and `path/openapi.json`). */
  openApi?: { path: string; title: string; description: string };
  /** Error formats of the protocols this service speaks, by path. */
  errorRenderers?: readonly ProtocolErrorRenderer[];
}
