import type { ProfileChanges } from '@identity/identity-domain';

/** The editable fields of a user, as the admin API and the bulk CSV name them. */
export const PROFILE_FIELDS = ['givenName', 'familyName', 'email', 'title', 'department', 'mobilePhone', 'workPhone', 'locale', 'timezone'] as const;

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
