import { EMPTY_PROFILE, type IdpKind, type UserEvent, type UserOwner, type UserProfile } from './user.events';

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
      return { ...state, status: 'deactivated' };
    case 'UserReactivated':
      return { ...state, status: 'active' };
    case 'UserDeleted':
      return { ...state, status: 'deleted' };
    case 'DirectoryVisibilityChanged':
      return { ...state, visibleInDirectory: event.data.visible };
  }
}
