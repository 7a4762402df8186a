/** Every integration event travels in this envelope; consumers dedupe on eventId or aggregateVersion. */
export interface IntegrationEvent<Type extends string = string, Data = unknown> {
  eventId: string;
  eventType: Type;
  schemaVersion: number;
  tenantId: string;
  aggregateId: string;
  aggregateVersion: number;
  occurredAt: string;
  causationId: string;
  correlationId: string;
  data: Data;
}

/** Kafka headers set on every message, so consumers can route and trace without parsing the body. */
export const HEADERS = {
  eventType: 'event-type',
  eventId: 'event-id',
  schemaVersion: 'schema-version',
  correlationId: 'x-correlation-id',
  tenantId: 'tenant-id',
} as const;

export type JsonSchema = Record<string, unknown>;

export const envelopeSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: [
    'eventId',
    'eventType',
    'schemaVersion',
    'tenantId',
    'aggregateId',
    'aggregateVersion',
    'occurredAt',
    'causationId',
    'correlationId',
    'data',
  ],
  properties: {
    eventId: { type: 'string', format: 'uuid' },
    eventType: { type: 'string' },
    schemaVersion: { type: 'integer', minimum: 1 },
    tenantId: { type: 'string', format: 'uuid' },
    aggregateId: { type: 'string', format: 'uuid' },
    aggregateVersion: { type: 'integer', minimum: 1 },
    occurredAt: { type: 'string', format: 'date-time' },
    causationId: { type: 'string' },
    correlationId: { type: 'string' },
    data: { type: 'object' },
  },
};
