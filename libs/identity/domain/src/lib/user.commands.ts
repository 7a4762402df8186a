import type { DeactivationReason, IdpKind, ProfileChanges, UserOwner, UserProfile } from './user.events';

/** Who is asking: the company's IdP over SCIM, or an admin in the console. */
export type Actor = { kind: 'idp'; idp: IdpKind } | { kind: 'admin' };

export interface SiteRef {
  siteId: string;
  siteName: string;
}

export type UserCommand =
  | {
      type: 'ProvisionUser';
      actor: Actor;
      userId: string;
      userName: string;
      externalId: string | null;
      active: boolean;
      profile: UserProfile;
      site: SiteRef | null;
      /** Visible in the company directory from the start (admin-created, or the tenant's auto setting). */
      visibleInDirectory: boolean;
    }
  | { type: 'ChangeUserAttributes'; actor: Actor; changes: ProfileChanges }
  | { type: 'AssignSite'; actor: Actor; site: SiteRef }
  | { type: 'DeactivateUser'; actor: Actor; reason: DeactivationReason }
  | { type: 'ReactivateUser'; actor: Actor }
  | { type: 'DeleteUser'; actor: Actor }
  | { type: 'SetDirectoryVisibility'; actor: Actor; visible: boolean }
  /** Everything one admin edit (a form save, a CSV row) changes, decided and stored atomically. */
  | { type: 'EditByAdmin'; changes: ProfileChanges; site?: SiteRef; visible?: boolean; active?: boolean }
  /** Everything one IdP request (a SCIM PATCH or PUT) changes, decided and stored atomically. */
  | {
      type: 'SyncFromIdp';
      actor: Extract<Actor, { kind: 'idp' }>;
      changes: ProfileChanges;
      site?: SiteRef;
      active?: boolean;
      /** The IdP creates again a user it deleted (a POST with its username): it knows the user once more. */
      recreate?: boolean;
    };

export type { UserOwner };
