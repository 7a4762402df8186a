import { eventDefinition } from '@identity/contracts';
import { toIntegrationEvent, type InTransaction, type IntegrationMapper } from '@identity/platform-event-store';
import { applyOnce } from './projection-runner';
import type { Projection } from './projection';

/**
 * Applies the new events to read models inside the writing transaction, so the writer reads its
 * own writes at once. The same projections stay rebuildable, and the bus copy of each event is
 * then a no-op for them.
 */
export function inlineProjections(projections: readonly Projection[], mapper: IntegrationMapper): InTransaction {
  return async (manager, result) => {
    for (const stored of result.events) {
      const event = toIntegrationEvent(stored, mapper);
      if (!event) continue;
      const topic = eventDefinition(event.eventType)!.topic.name;
      for (const projection of projections) {
        if (projection.topics.includes(topic)) await applyOnce(manager, projection, event);
      }
    }
  };
}
