import { HEADERS, eventDefinition, type IntegrationEvent } from '@identity/contracts';
import type { OutboxMessage, StoredEvent } from './event-store.types';

/**
 * The explicit mapping from a stored domain event to the integration event other services see;
 * null keeps an event private to its service.
 */
export type IntegrationMapper = (event: StoredEvent) => { eventType: string; data: unknown } | null;

/** Stream ids are `<type>-<uuid>`; the uuid is the aggregate id on the wire. */
export function aggregateIdOf(streamId: string): string {
  return streamId.slice(streamId.indexOf('-') + 1);
}

export function toIntegrationEvent(event: StoredEvent, mapper: IntegrationMapper): IntegrationEvent | null {
  const mapped = mapper(event);
  if (!mapped) return null;
  const definition = eventDefinition(mapped.eventType);
  if (!definition) throw new Error(`no contract for integration event ${mapped.eventType}`);
  if (!event.metadata.tenantId) throw new Error(`integration event ${mapped.eventType} needs a tenant`);
  return {
    eventId: event.eventId,
    eventType: mapped.eventType,
    schemaVersion: definition.schemaVersion,
    tenantId: event.metadata.tenantId,
    aggregateId: aggregateIdOf(event.streamId),
    aggregateVersion: event.streamVersion,
    occurredAt: event.metadata.occurredAt,
    causationId: event.metadata.causationId,
    correlationId: event.metadata.correlationId,
    data: mapped.data,
  };
}

/** The outbox messages of freshly stored events: one topic per contract, keyed by aggregate id. */
export function outboxFor(mapper: IntegrationMapper): (events: readonly StoredEvent[]) => OutboxMessage[] {
  return (events) =>
    events.flatMap((event) => {
      const integration = toIntegrationEvent(event, mapper);
      if (!integration) return [];
      const definition = eventDefinition(integration.eventType)!;
      return [
        {
          eventId: integration.eventId,
          topic: definition.topic.name,
          key: integration.aggregateId,
          headers: {
            [HEADERS.eventType]: integration.eventType,
            [HEADERS.eventId]: integration.eventId,
            [HEADERS.schemaVersion]: String(integration.schemaVersion),
            [HEADERS.correlationId]: integration.correlationId,
            [HEADERS.tenantId]: integration.tenantId,
          },
          payload: integration,
        },
      ];
    });
}

/** Domain events whose type and data are already the published contract. */
export const publishAsIs: IntegrationMapper = (event) =>
  eventDefinition(event.type) ? { eventType: event.type, data: event.data } : null;
