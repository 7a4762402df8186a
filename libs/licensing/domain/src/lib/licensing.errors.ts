export type LicensingRuleCode =
  | 'user-not-found'
  | 'user-deleted'
  | 'site-missing'
  | 'already-licensed'
  | 'other-plan'
  | 'no-seats-left'
  | 'seats-in-use'
  | 'invalid-value';

/** A licensing rule was broken; the message says what to do about it. */
export class LicensingRuleViolation extends Error {
  constructor(
    readonly code: LicensingRuleCode,
    message: string,
  ) {
    super(message);
    this.name = 'LicensingRuleViolation';
  }
}
