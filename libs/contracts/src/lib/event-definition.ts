import type { JsonSchema } from './envelope';
import type { TopicDefinition } from './topics';

/** A versioned integration-event contract: its name, topic, data schema and a golden sample. */
export interface EventDefinition<Type extends string = string, Data = unknown> {
  eventType: Type;
  schemaVersion: number;
  topic: TopicDefinition;
  summary: string;
  dataSchema: JsonSchema;
  example: Data;
}

export function defineEvent<Type extends string, Data>(definition: EventDefinition<Type, Data>): EventDefinition<Type, Data> {
  return definition;
}

export const uuid = { type: 'string', format: 'uuid' } as const;
export const text = (maxLength = 256) => ({ type: 'string', maxLength }) as const;
export const nullableText = (maxLength = 256) => ({ type: ['string', 'null'], maxLength }) as const;

export function objectSchema(properties: Record<string, unknown>, required: readonly string[] = Object.keys(properties)): JsonSchema {
  return { type: 'object', additionalProperties: false, required: [...required], properties };
}
