import { EMPTY_PROFILE, type DeactivationReason, type IdpKind, type UserEvent, type UserOwner, type UserProfile } from './user.events';

export interface UserState {
  status: 'absent' | 'active' | 'deactivated' | 'deleted';
  userId: string;
  userName: string;
  owner: UserOwner;
  idp: IdpKind | null;
  externalId: string | null;
  profile: UserProfile;
  siteId: string | null;
  siteName: string | null;
  visibleInDirectory: boolean;
  /** Why a deactivated user is deactivated; an IdP delete also hides the user from the IdP. */
  deactivationReason: DeactivationReason | null;
}

export const initialUserState = (): UserState => ({
  status: 'absent',
  userId: '',
  userName: '',
  owner: 'admin',
  idp: null,
  externalId: null,
  profile: EMPTY_PROFILE,
  siteId: null,
  siteName: null,
  visibleInDirectory: false,
  deactivationReason: null,
});

export function evolveUser(state: UserState, event: UserEvent): UserState {
  switch (event.type) {
    case 'UserProvisioned':
      return {
        ...state,
        status: event.data.active ? 'active' : 'deactivated',
        userId: event.data.userId,
        userName: event.data.userName,
        owner: event.data.owner,
        idp: event.data.idp,
        externalId: event.data.externalId,
        profile: event.data.profile,
      };
    case 'UserAttributesChanged': {
      const { userName, externalId, ...profile } = event.data.changes;
      return {
        ...state,
        userName: userName ?? state.userName,
        externalId: externalId === undefined ? state.externalId : externalId,
        profile: { ...state.profile, ...profile },
      };
    }
    case 'UserLinkedToIdp':
      return { ...state, owner: 'idp', idp: event.data.idp, externalId: event.data.externalId ?? state.externalId };
    case 'SiteAssigned':
      return { ...state, siteId: event.data.siteId, siteName: event.data.siteName };
    case 'UserDeactivated':
      return { ...state, status: 'deactivated', deactivationReason: event.data.reason };
    case 'UserReactivated':
      return { ...state, status: 'active', deactivationReason: null };
    case 'UserDeleted':
      return { ...state, status: 'deleted' };
    case 'DirectoryVisibilityChanged':
      return { ...state, visibleInDirectory: event.data.visible };
  }
}
