import type { TenantEvent } from './tenant.events';

export interface TenantState {
  exists: boolean;
  name: string;
  /** Token ids that still authenticate. */
  activeTokens: ReadonlySet<string>;
}

export const initialTenantState = (): TenantState => ({ exists: false, name: '', activeTokens: new Set() });

export function evolveTenant(state: TenantState, event: TenantEvent): TenantState {
  switch (event.type) {
    case 'TenantCreated':
      return { ...state, exists: true, name: event.data.name };
    case 'TenantAdminTokenIssued':
      return { ...state, activeTokens: new Set([...state.activeTokens, event.data.tokenId]) };
    case 'TenantAdminTokenRevoked': {
      const activeTokens = new Set(state.activeTokens);
      activeTokens.delete(event.data.tokenId);
      return { ...state, activeTokens };
    }
  }
}
