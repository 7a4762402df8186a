import type { Type } from '@nestjs/common';
import type { RequestHandler } from 'express';
import type { MigrationInterface } from 'typeorm';
import type { IntegrationEvent } from '@identity/contracts';
import type { Projection } from '@identity/platform-projections';
import type { ServiceInfrastructure } from './infrastructure';
import type { ConfigVariable } from './config';
import type { ErrorMapper, ProtocolErrorRenderer } from './problem-details';

/**
 * A reaction to integration events: it runs commands, so it must be idempotent (a redelivered
 * event must decide nothing new). Each reaction is a consumer group of its own.
 */
export interface Reaction {
  name: string;
  topics: readonly string[];
  handle(event: IntegrationEvent, infrastructure: ServiceInfrastructure): Promise<void>;
  /**
   * Handles several events of one partition at once, in order, where that is cheaper (one look-up
   * for all of them, say). If it throws, each event goes through `handle` on its own.
   */
  handleBatch?(events: readonly IntegrationEvent[], infrastructure: ServiceInfrastructure): Promise<void>;
}

/** What makes a deployable: its module, configuration, schema, read models and public paths. */
export interface ServiceDefinition {
  name: string;
  /** Variables this service reads on top of the common ones. */
  config: readonly ConfigVariable[];
  module: Type<unknown>;
  migrations: readonly (new () => MigrationInterface)[];
  /** Read models this service keeps up to date from the bus. */
  projections: readonly Projection[];
  /** What the service does when events happen (free a seat when a user is deleted, say). */
  reactions?: readonly Reaction[];
  /** Read models only this service's own writes change, applied in the writing transaction. */
  inlineOnlyProjections: readonly Projection[];
  /** Public path prefixes this service answers (the ingress and the embedded router route by them). */
  publicPrefixes: readonly string[];
  runsRelay: boolean;
  errorMappers: readonly ErrorMapper[];
  /** Serves the OpenAPI document of the service's admin API at `path` (and `path/openapi.json`). */
  openApi?: { path: string; title: string; description: string };
  /** Body parsers for particular paths (limits or formats of their own), run before the common ones. */
  bodyParsers?: readonly { path: string; parser: RequestHandler }[];
  /** Error formats of the protocols this service speaks, by path. */
  errorRenderers?: readonly ProtocolErrorRenderer[];
}
