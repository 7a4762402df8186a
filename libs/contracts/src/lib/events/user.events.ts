import { defineEvent, nullableText, objectSchema, text, uuid } from '../event-definition';
import { TOPICS } from '../topics';

/** Who masters a user's identity fields: the company's IdP, or the admin console. */
export type UserOwner = 'idp' | 'admin';
export type IdentityProviderKind = 'azure-ad' | 'okta';

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

const profileProperties = {
  givenName: nullableText(),
  familyName: nullableText(),
  email: nullableText(320),
  title: nullableText(),
  department: nullableText(),
  mobilePhone: nullableText(64),
  workPhone: nullableText(64),
  locale: nullableText(32),
  timezone: nullableText(64),
};

const exampleProfile: UserProfile = {
  givenName: 'Adele',
  familyName: 'Vance',
  email: 'adele.vance@contoso.com',
  title: 'Retail Manager',
  department: 'Retail',
  mobilePhone: '+1 425 555 0109',
  workPhone: '+1 425 555 0100',
  locale: 'en-US',
  timezone: 'America/Los_Angeles',
};

const tenantId = '6f1c2d0e-8d1b-4a8e-9a55-0b6a0f6f2a11';
const userId = '3b0d7c1e-5a4f-4e0b-9a2c-8f1d6e2b7c90';

export interface UserProvisionedData {
  userId: string;
  userName: string;
  owner: UserOwner;
  /** The IdP that created the user, when owner is idp. */
  idp: IdentityProviderKind | null;
  externalId: string | null;
  active: boolean;
  profile: UserProfile;
}

export const UserProvisioned = defineEvent<'UserProvisioned', UserProvisionedData>({
  eventType: 'UserProvisioned',
  schemaVersion: 1,
  topic: TOPICS.identityUser,
  summary: 'A user was created, by the IdP over SCIM or by an admin.',
  dataSchema: objectSchema({
    userId: uuid,
    userName: text(256),
    owner: { enum: ['idp', 'admin'] },
    idp: { enum: ['azure-ad', 'okta', null] },
    externalId: nullableText(),
    active: { type: 'boolean' },
    profile: objectSchema(profileProperties),
  }),
  example: {
    userId,
    userName: 'adele.vance@contoso.com',
    owner: 'idp',
    idp: 'azure-ad',
    externalId: 'adele.vance',
    active: true,
    profile: exampleProfile,
  },
});

export interface UserAttributesChangedData {
  userId: string;
  /** Only the fields that changed, with their new values. */
  changes: Partial<UserProfile> & { userName?: string; externalId?: string | null };
}

/** The column every read model of users keeps each changeable field in. */
const USER_FIELD_COLUMNS: Record<keyof UserAttributesChangedData['changes'], string> = {
  userName: 'user_name',
  externalId: 'external_id',
  givenName: 'given_name',
  familyName: 'family_name',
  email: 'email',
  title: 'title',
  department: 'department',
  mobilePhone: 'mobile_phone',
  workPhone: 'work_phone',
  locale: 'locale',
  timezone: 'timezone',
};

/** The columns a UserAttributesChanged sets in a read model of users, with their new values. */
export function changedUserColumns(data: UserAttributesChangedData): Record<string, unknown> {
  return userColumns(data.changes);
}

/** What a UserProvisioned gives every read model of users: the user's identity, owner and profile columns. */
export function provisionedUserColumns(data: UserProvisionedData): Record<string, unknown> {
  return { ...userColumns(data.profile), user_id: data.userId, user_name: data.userName, external_id: data.externalId, owner: data.owner, idp: data.idp };
}

function userColumns(fields: UserAttributesChangedData['changes']): Record<string, unknown> {
  const columns: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(fields)) {
    const column = USER_FIELD_COLUMNS[field as keyof typeof USER_FIELD_COLUMNS];
    if (column) columns[column] = value;
  }
  return columns;
}

export const UserAttributesChanged = defineEvent<'UserAttributesChanged', UserAttributesChangedData>({
  eventType: 'UserAttributesChanged',
  schemaVersion: 1,
  topic: TOPICS.identityUser,
  summary: 'Some of a user’s attributes changed; only the changed ones are listed.',
  dataSchema: objectSchema({
    userId: uuid,
    changes: { ...objectSchema({ ...profileProperties, userName: text(256), externalId: nullableText() }, []), minProperties: 1 },
  }),
  example: { userId, changes: { title: 'Store Manager' } },
});

export interface UserLinkedToIdpData {
  userId: string;
  idp: IdentityProviderKind;
  externalId: string | null;
}

export const UserLinkedToIdp = defineEvent<'UserLinkedToIdp', UserLinkedToIdpData>({
  eventType: 'UserLinkedToIdp',
  schemaVersion: 1,
  topic: TOPICS.identityUser,
  summary: 'An admin-created user was matched by the IdP and is now mastered by it.',
  dataSchema: objectSchema({ userId: uuid, idp: { enum: ['azure-ad', 'okta'] }, externalId: nullableText() }),
  example: { userId, idp: 'azure-ad', externalId: 'adele.vance' },
});

export interface SiteAssignedData {
  userId: string;
  siteId: string;
  siteName: string;
}

export const SiteAssigned = defineEvent<'SiteAssigned', SiteAssignedData>({
  eventType: 'SiteAssigned',
  schemaVersion: 1,
  topic: TOPICS.identityUser,
  summary: 'A user was placed at a site (once set, a user’s site does not change).',
  dataSchema: objectSchema({ userId: uuid, siteId: uuid, siteName: text(200) }),
  example: { userId, siteId: '5e2b1f7a-3c4d-4b8e-a1f2-9d0c7b6a5e43', siteName: 'Redmond HQ' },
});

export type DeactivationReason = 'idp-deactivated' | 'idp-deleted' | 'admin';

export interface UserDeactivatedData {
  userId: string;
  reason: DeactivationReason;
}

export const UserDeactivated = defineEvent<'UserDeactivated', UserDeactivatedData>({
  eventType: 'UserDeactivated',
  schemaVersion: 1,
  topic: TOPICS.identityUser,
  summary: 'A user can no longer sign in; licenses and settings are kept.',
  dataSchema: objectSchema({ userId: uuid, reason: { enum: ['idp-deactivated', 'idp-deleted', 'admin'] } }),
  example: { userId, reason: 'idp-deactivated' },
});

export interface UserReactivatedData {
  userId: string;
}

export const UserReactivated = defineEvent<'UserReactivated', UserReactivatedData>({
  eventType: 'UserReactivated',
  schemaVersion: 1,
  topic: TOPICS.identityUser,
  summary: 'A deactivated user can sign in again.',
  dataSchema: objectSchema({ userId: uuid }),
  example: { userId },
});

export interface UserDeletedData {
  userId: string;
  userName: string;
}

export const UserDeleted = defineEvent<'UserDeleted', UserDeletedData>({
  eventType: 'UserDeleted',
  schemaVersion: 1,
  topic: TOPICS.identityUser,
  summary: 'An admin deleted the user; the username is free again.',
  dataSchema: objectSchema({ userId: uuid, userName: text(256) }),
  example: { userId, userName: 'adele.vance@contoso.com' },
});

export interface DirectoryVisibilityChangedData {
  userId: string;
  visible: boolean;
}

export const DirectoryVisibilityChanged = defineEvent<'DirectoryVisibilityChanged', DirectoryVisibilityChangedData>({
  eventType: 'DirectoryVisibilityChanged',
  schemaVersion: 1,
  topic: TOPICS.identityUser,
  summary: 'A user was shown in or hidden from the company directory.',
  dataSchema: objectSchema({ userId: uuid, visible: { type: 'boolean' } }),
  example: { userId, visible: true },
});

export const USER_EVENT_EXAMPLE_TENANT = tenantId;
