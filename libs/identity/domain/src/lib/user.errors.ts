export type UserRuleCode =
  | 'user-exists'
  | 'user-not-found'
  | 'invalid-value'
  | 'idp-mastered'
  | 'site-locked'
  | 'admin-only';

/** A rule of the User aggregate was broken; each protocol maps `code` to its own error format. */
export class UserRuleViolation extends Error {
  constructor(
    readonly code: UserRuleCode,
    message: string,
    /** The fields the rule is about (the locked fields of an IdP-mastered user, say). */
    readonly fields: readonly string[] = [],
  ) {
    super(message);
    this.name = 'UserRuleViolation';
  }
}
