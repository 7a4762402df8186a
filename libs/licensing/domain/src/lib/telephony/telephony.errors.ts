export type TelephonyRuleCode =
  | 'not-licensed'
  | 'user-deleted'
  | 'no-extension-plan'
  | 'invalid-extension'
  | 'invalid-number'
  | 'not-in-pool'
  | 'quarantined'
  | 'extension-taken'
  | 'number-taken'
  | 'none-free'
  | 'invalid-value';

/** A telephony rule was broken; the message says what to do about it. */
export class TelephonyRuleViolation extends Error {
  constructor(
    readonly code: TelephonyRuleCode,
    message: string,
  ) {
    super(message);
    this.name = 'TelephonyRuleViolation';
  }
}

const E164 = /^\+[1-9][0-9]{6,14}$/;

/** E.164 as operators and admins type it: spaces, dashes, dots and brackets are dropped. */
export function normaliseE164(input: string): string {
  const compact = input.trim().replace(/[\s\-.()]/g, '');
  if (!E164.test(compact)) throw new TelephonyRuleViolation('invalid-number', `${input.trim() || 'an empty value'} is not an E.164 number (+ country code and number, up to 15 digits)`);
  return compact;
}
