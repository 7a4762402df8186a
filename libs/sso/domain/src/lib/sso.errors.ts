export type SsoRuleCode = 'invalid-url' | 'invalid-issuer' | 'incomplete' | 'too-many-certificates' | 'certificate-not-found' | 'invalid-role';

/** An SSO configuration rule was broken; the message says what to do about it. */
export class SsoRuleViolation extends Error {
  constructor(
    readonly code: SsoRuleCode,
    message: string,
  ) {
    super(message);
    this.name = 'SsoRuleViolation';
  }
}
