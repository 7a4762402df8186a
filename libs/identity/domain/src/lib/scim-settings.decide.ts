import type { IdpKind } from './user.events';

/**
 * A tenant's provisioning integration (stream `scim-settings-<tenantId>`): whether SCIM is on,
 * which IdP, its API tokens (hashes only) and which users the IdP may see.
 */
export type UserRetrieval = 'all' | 'idp-only';

export type ScimSettingsEvent =
  | { type: 'ScimProvisioningEnabled'; data: { tenantId: string; idp: IdpKind } }
  | { type: 'ScimProvisioningDisabled'; data: { tenantId: string } }
  | { type: 'ScimTokenIssued'; data: { tenantId: string; tokenId: string; tokenHash: string } }
  /** The previous token keeps working until `validUntil`, so the IdP can be switched over without a gap. */
  | { type: 'ScimTokenRetiring'; data: { tenantId: string; tokenId: string; validUntil: string } }
  | { type: 'ScimTokenRevoked'; data: { tenantId: string; tokenId: string } }
  | { type: 'ScimUserRetrievalSet'; data: { tenantId: string; retrieval: UserRetrieval } }
  | { type: 'ScimNewUsersVisibilitySet'; data: { tenantId: string; visibleInDirectory: boolean } };

export type ScimSettingsCommand =
  | { type: 'EnableScim'; tenantId: string; idp: IdpKind; token: { tokenId: string; tokenHash: string } }
  | { type: 'DisableScim' }
  | { type: 'RotateScimToken'; token: { tokenId: string; tokenHash: string }; now: Date; overlapSeconds: number }
  | { type: 'RevokeScimTokens' }
  | { type: 'SetUserRetrieval'; retrieval: UserRetrieval }
  /** Whether users the IdP creates are shown in the company directory at once (else an admin decides). */
  | { type: 'SetNewUsersVisibility'; visibleInDirectory: boolean };

export interface ScimSettingsState {
  tenantId: string;
  enabled: boolean;
  idp: IdpKind | null;
  retrieval: UserRetrieval;
  newUsersVisible: boolean;
  /** Tokens that still authenticate (current, and retiring ones until their time is up). */
  liveTokens: readonly { tokenId: string; validUntil: string | null }[];
}

export class ScimSettingsViolation extends Error {
  constructor(
    readonly code: 'not-enabled' | 'invalid-value',
    message: string,
  ) {
    super(message);
    this.name = 'ScimSettingsViolation';
  }
}

export const initialScimSettings = (): ScimSettingsState => ({ tenantId: '', enabled: false, idp: null, retrieval: 'all', newUsersVisible: false, liveTokens: [] });

export function evolveScimSettings(state: ScimSettingsState, event: ScimSettingsEvent): ScimSettingsState {
  switch (event.type) {
    case 'ScimProvisioningEnabled':
      return { ...state, tenantId: event.data.tenantId, enabled: true, idp: event.data.idp };
    case 'ScimProvisioningDisabled':
      return { ...state, enabled: false };
    case 'ScimTokenIssued':
      return { ...state, liveTokens: [...state.liveTokens, { tokenId: event.data.tokenId, validUntil: null }] };
    case 'ScimTokenRetiring':
      return {
        ...state,
        liveTokens: state.liveTokens.map((token) => (token.tokenId === event.data.tokenId ? { ...token, validUntil: event.data.validUntil } : token)),
      };
    case 'ScimTokenRevoked':
      return { ...state, liveTokens: state.liveTokens.filter((token) => token.tokenId !== event.data.tokenId) };
    case 'ScimUserRetrievalSet':
      return { ...state, retrieval: event.data.retrieval };
    case 'ScimNewUsersVisibilitySet':
      return { ...state, newUsersVisible: event.data.visibleInDirectory };
  }
}

export const SCIM_TOKEN_OVERLAP_MAX_SECONDS = 7 * 24 * 3600;

export function decideScimSettings(command: ScimSettingsCommand, state: ScimSettingsState): ScimSettingsEvent[] {
  const tenantId = state.tenantId;
  switch (command.type) {
    case 'EnableScim': {
      // Enabling again (or switching IdP) issues a fresh token and revokes the old ones: the URL and token go together.
      const events: ScimSettingsEvent[] = state.liveTokens.map((token) => ({
        type: 'ScimTokenRevoked',
        data: { tenantId: command.tenantId, tokenId: token.tokenId },
      }));
      events.push({ type: 'ScimProvisioningEnabled', data: { tenantId: command.tenantId, idp: command.idp } });
      events.push({ type: 'ScimTokenIssued', data: { tenantId: command.tenantId, ...command.token } });
      return events;
    }
    case 'DisableScim':
      return state.enabled ? [{ type: 'ScimProvisioningDisabled', data: { tenantId } }] : [];
    case 'RotateScimToken': {
      requireEnabled(state);
      if (command.overlapSeconds < 0 || command.overlapSeconds > SCIM_TOKEN_OVERLAP_MAX_SECONDS) {
        throw new ScimSettingsViolation('invalid-value', `the overlap is 0 to ${SCIM_TOKEN_OVERLAP_MAX_SECONDS} seconds`);
      }
      const validUntil = new Date(command.now.getTime() + command.overlapSeconds * 1000).toISOString();
      // Every token still good past the new overlap ends with it: one retiring from an earlier rotation too (ISO times in UTC compare as text).
      const events: ScimSettingsEvent[] = state.liveTokens
        .filter((token) => token.validUntil === null || token.validUntil > validUntil)
        .map((token) =>
          command.overlapSeconds === 0
            ? { type: 'ScimTokenRevoked', data: { tenantId, tokenId: token.tokenId } }
            : { type: 'ScimTokenRetiring', data: { tenantId, tokenId: token.tokenId, validUntil } },
        );
      events.push({ type: 'ScimTokenIssued', data: { tenantId, ...command.token } });
      return events;
    }
    case 'RevokeScimTokens':
      return state.liveTokens.map((token) => ({ type: 'ScimTokenRevoked', data: { tenantId, tokenId: token.tokenId } }));
    case 'SetUserRetrieval':
      requireEnabled(state);
      return state.retrieval === command.retrieval ? [] : [{ type: 'ScimUserRetrievalSet', data: { tenantId, retrieval: command.retrieval } }];
    case 'SetNewUsersVisibility':
      requireEnabled(state);
      return state.newUsersVisible === command.visibleInDirectory
        ? []
        : [{ type: 'ScimNewUsersVisibilitySet', data: { tenantId, visibleInDirectory: command.visibleInDirectory } }];
  }
}

function requireEnabled(state: ScimSettingsState): void {
  if (!state.enabled) throw new ScimSettingsViolation('not-enabled', 'SCIM provisioning is not enabled for this tenant');
}

export const scimSettingsDecider = { initialState: initialScimSettings, evolve: evolveScimSettings, decide: decideScimSettings };
