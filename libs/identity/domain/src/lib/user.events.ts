/** Stored events of the User aggregate (stream `user-<uuid>`). */
export type UserOwner = 'idp' | 'admin';
export type IdpKind = 'azure-ad' | 'okta';
export type DeactivationReason = 'idp-deactivated' | 'idp-deleted' | 'admin';

export interface UserProfile {
  givenName: string | null;
  familyName: string | null;
  email: string | null;
  title: string | null;
  department: string | null;
  mobilePhone: string | null;
  workPhone: string | null;
  locale: string | null;
  timezone: string | null;
}

export type ProfileChanges = Partial<UserProfile> & { userName?: string; externalId?: string | null };

export type UserEvent =
  | {
      type: 'UserProvisioned';
      data: { userId: string; userName: string; owner: UserOwner; idp: IdpKind | null; externalId: string | null; active: boolean; profile: UserProfile };
    }
  | { type: 'UserAttributesChanged'; data: { userId: string; changes: ProfileChanges } }
  | { type: 'UserLinkedToIdp'; data: { userId: string; idp: IdpKind; externalId: string | null } }
  | { type: 'SiteAssigned'; data: { userId: string; siteId: string; siteName: string } }
  | { type: 'UserDeactivated'; data: { userId: string; reason: DeactivationReason } }
  | { type: 'UserReactivated'; data: { userId: string } }
  | { type: 'UserDeleted'; data: { userId: string; userName: string } }
  | { type: 'DirectoryVisibilityChanged'; data: { userId: string; visible: boolean } };

export const EMPTY_PROFILE: UserProfile = {
  givenName: null,
  familyName: null,
  email: null,
  title: null,
  department: null,
  mobilePhone: null,
  workPhone: null,
  locale: null,
  timezone: null,
};
