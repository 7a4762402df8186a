import { DirectoryRuleViolation } from './tenant.errors';
import type { SiteCommand, SiteEvent, SiteState } from './site.events';

export const SITE_NAME_MAX = 200;

export const initialSiteState = (): SiteState => ({ exists: false, siteId: '', name: '', aliases: [] });

export function evolveSite(state: SiteState, event: SiteEvent): SiteState {
  switch (event.type) {
    case 'SiteCreated':
      return { exists: true, siteId: event.data.siteId, name: event.data.name, aliases: [] };
    case 'SiteRenamed':
      return { ...state, name: event.data.newName, aliases: [...state.aliases, event.data.oldName] };
  }
}

/** Site names keep the admin's spelling; only surrounding and repeated spaces go. */
export function normaliseSiteName(name: string): string {
  return name.trim().replace(/\s+/g, ' ');
}

/** Site names are unique per tenant regardless of case (the key of the name reservation). */
export function siteNameKey(tenantId: string, name: string): { scope: string; key: string } {
  return { scope: `site-name:${tenantId}`, key: normaliseSiteName(name).toLowerCase() };
}

export function decideSite(command: SiteCommand, state: SiteState): SiteEvent[] {
  switch (command.type) {
    case 'CreateSite': {
      if (state.exists) throw new DirectoryRuleViolation('site-exists', 'the site already exists');
      return [{ type: 'SiteCreated', data: { siteId: command.siteId, name: validName(command.name) } }];
    }
    case 'RenameSite': {
      if (!state.exists) throw new DirectoryRuleViolation('site-not-found', 'no such site');
      const name = validName(command.name);
      if (name === state.name) return [];
      return [{ type: 'SiteRenamed', data: { siteId: state.siteId, oldName: state.name, newName: name } }];
    }
  }
}

function validName(raw: string): string {
  const name = normaliseSiteName(raw);
  if (name.length === 0 || name.length > SITE_NAME_MAX) {
    throw new DirectoryRuleViolation('invalid-name', `a site name has 1 to ${SITE_NAME_MAX} characters`);
  }
  return name;
}

export const siteDecider = { initialState: initialSiteState, evolve: evolveSite, decide: decideSite };

/** Reservations for a site's events: a new name is claimed; an old one stays claimed as an alias. */
export function siteNameReservations(tenantId: string) {
  return (events: readonly SiteEvent[]) =>
    events.flatMap((event) => {
      const name = event.type === 'SiteCreated' ? event.data.name : event.data.newName;
      const { scope, key } = siteNameKey(tenantId, name);
      return [{ action: 'reserve' as const, scope, key }];
    });
}
