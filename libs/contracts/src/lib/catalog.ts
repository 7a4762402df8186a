import type { EventDefinition } from './event-definition';
import * as licensing from './events/licensing.events';
import * as site from './events/site.events';
import * as sso from './events/sso.events';
import * as telephony from './events/telephony.events';
import * as tenant from './events/tenant.events';
import * as user from './events/user.events';

function definitions(module: Record<string, unknown>): EventDefinition[] {
  return Object.values(module).filter(
    (value): value is EventDefinition => typeof value === 'object' && value !== null && 'eventType' in value,
  );
}

/** Every published event contract, in a stable order (the AsyncAPI document follows it). */
export const EVENT_CATALOG: readonly EventDefinition[] = [
  ...definitions(tenant),
  ...definitions(site),
  ...definitions(user),
  ...definitions(licensing),
  ...definitions(telephony),
  ...definitions(sso),
];

export function eventDefinition(eventType: string): EventDefinition | undefined {
  return EVENT_CATALOG.find((definition) => definition.eventType === eventType);
}
