import type { ProfileChanges } from '@identity/identity-domain';

/** The editable fields of a user, as the admin API and the bulk CSV name them. */
export const PROFILE_FIELDS = ['givenName', 'familyName', 'email', 'title', 'department', 'mobilePhone', 'workPhone', 'locale', 'timezone'] as const;

/** The longest value of each, for the admin API and the bulk CSV alike. */
export const PROFILE_FIELD_MAX_LENGTH: Record<(typeof PROFILE_FIELDS)[number], number> = {
  givenName: 256,
  familyName: 256,
  email: 320,
  title: 256,
  department: 256,
  mobilePhone: 64,
  workPhone: 64,
  locale: 32,
  timezone: 64,
};

export interface AdminUserEdit {
  userName?: string;
  changes: ProfileChanges;
  siteId?: string;
  visibleInDirectory?: boolean;
  active?: boolean;
}

export class AdminInputError extends Error {
  constructor(
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'AdminInputError';
  }
}
