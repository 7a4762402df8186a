/** The one error type of the directory domain; `code` is what the protocol layer maps. */
export class DirectoryRuleViolation extends Error {
  constructor(
    readonly code: 'tenant-exists' | 'tenant-not-found' | 'invalid-name' | 'token-not-found' | 'site-exists' | 'site-not-found',
    message: string,
  ) {
    super(message);
    this.name = 'DirectoryRuleViolation';
  }
}
