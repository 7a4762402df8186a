import { SsoRuleViolation } from './sso.errors';

export type SsoIdp = 'azure-ad' | 'saml2';

/** A signing certificate as the upload check accepted it (the PEM is public: no secret here). */
export interface TrustedCertificate {
  pem: string;
  subject: string;
  thumbprint: string;
  sha1Thumbprint: string;
  notBefore: string;
  notAfter: string;
}

export interface SsoSettings {
  enabled: boolean;
  idp: SsoIdp;
  signInUrl: string | null;
  issuer: string | null;
  signOutUrl: string | null;
  /** Azure AD app role whose holders may administer the company in the admin console (null: nobody through SSO). */
  adminRole: string | null;
}

export interface SsoConfiguration extends SsoSettings {
  tenantId: string;
  certificates: TrustedCertificate[];
}

/**
 * One company's "Single Sign-On Integration" (stream `sso-configuration-<tenantId>`). Every change
 * records the whole configuration, so one event type says what is in force.
 */
export type SsoConfigurationEvent =
  | { type: 'SsoConfigured'; data: SsoConfiguration }
  /** The change withdrew trust that sessions rest on: they end (only console admins' for a changed admin role). */
  | { type: 'SsoSessionsEnded'; data: { tenantId: string; reason: SessionsEndedReason; consoleAdminsOnly: boolean } };

export type SessionsEndedReason = 'sso-disabled' | 'sso-issuer-changed' | 'sso-certificate-removed' | 'sso-admin-role-changed';

export type SsoConfigurationCommand =
  /** `certificate`: one more to trust, in the same change (kept if already there), so that refused settings leave it untrusted. */
  | { type: 'ConfigureSso'; tenantId: string; settings: SsoSettings; allowLoopbackUrls: boolean; certificate?: TrustedCertificate }
  | { type: 'AddSigningCertificate'; tenantId: string; certificate: TrustedCertificate }
  | { type: 'RemoveSigningCertificate'; tenantId: string; thumbprint: string };

export const MAX_SIGNING_CERTIFICATES = 2;

export const initialSsoConfiguration = (): SsoConfiguration | null => null;

export function evolveSsoConfiguration(state: SsoConfiguration | null, event: SsoConfigurationEvent): SsoConfiguration | null {
  return event.type === 'SsoConfigured' ? event.data : state;
}

export function decideSsoConfiguration(command: SsoConfigurationCommand, state: SsoConfiguration | null): SsoConfigurationEvent[] {
  const current: SsoConfiguration = state ?? { tenantId: command.tenantId, enabled: false, idp: 'azure-ad', signInUrl: null, issuer: null, signOutUrl: null, adminRole: null, certificates: [] };
  let next: SsoConfiguration;
  switch (command.type) {
    case 'ConfigureSso': {
      const { settings, allowLoopbackUrls } = command;
      next = {
        ...current,
        enabled: settings.enabled,
        idp: settings.idp,
        signInUrl: settings.signInUrl === null ? null : checkedUrl('signInUrl', settings.signInUrl, allowLoopbackUrls),
        issuer: settings.issuer === null ? null : checkedIssuer(settings.issuer),
        signOutUrl: settings.signOutUrl === null ? null : checkedUrl('signOutUrl', settings.signOutUrl, allowLoopbackUrls),
        adminRole: checkedRole(settings.adminRole),
        certificates: command.certificate ? withCertificate(current.certificates, command.certificate) : current.certificates,
      };
      break;
    }
    case 'AddSigningCertificate': {
      const certificates = withCertificate(current.certificates, command.certificate);
      if (certificates === current.certificates) return [];
      next = { ...current, certificates };
      break;
    }
    case 'RemoveSigningCertificate': {
      // By the SHA-256 thumbprint we list, or by the SHA-1 one Azure AD shows next to the certificate.
      const named = (certificate: TrustedCertificate) => certificate.thumbprint === command.thumbprint || certificate.sha1Thumbprint === command.thumbprint;
      if (!current.certificates.some(named)) {
        throw new SsoRuleViolation('certificate-not-found', 'no signing certificate with this thumbprint');
      }
      next = { ...current, certificates: current.certificates.filter((certificate) => !named(certificate)) };
      break;
    }
  }
  if (next.enabled) assertComplete(next);
  if (state !== null && sameConfiguration(next, state)) return [];
  const ended = state === null ? null : sessionsEndedBy(state, next);
  return [{ type: 'SsoConfigured', data: next }, ...(ended ? [{ type: 'SsoSessionsEnded' as const, data: { tenantId: next.tenantId, ...ended } }] : [])];
}

/**
 * Sessions rest on what the company trusted when they started: switching SSO off, changing the
 * issuer or removing a certificate (a leaked key, say) ends them all, and a changed admin role ends
 * the console admins'. Adding a certificate for a rollover ends nothing.
 */
function sessionsEndedBy(before: SsoConfiguration, after: SsoConfiguration): { reason: SessionsEndedReason; consoleAdminsOnly: boolean } | null {
  if (!before.enabled) return null;
  if (!after.enabled) return { reason: 'sso-disabled', consoleAdminsOnly: false };
  if (after.issuer !== before.issuer) return { reason: 'sso-issuer-changed', consoleAdminsOnly: false };
  if (before.certificates.some((old) => !after.certificates.some((kept) => kept.thumbprint === old.thumbprint))) {
    return { reason: 'sso-certificate-removed', consoleAdminsOnly: false };
  }
  if ((after.adminRole ?? null) !== (before.adminRole ?? null)) return { reason: 'sso-admin-role-changed', consoleAdminsOnly: true };
  return null;
}

/** The certificates with one more trusted (the same list when it is there already). */
function withCertificate(certificates: TrustedCertificate[], added: TrustedCertificate): TrustedCertificate[] {
  if (certificates.some((certificate) => certificate.thumbprint === added.thumbprint)) return certificates;
  if (certificates.length >= MAX_SIGNING_CERTIFICATES) {
    throw new SsoRuleViolation('too-many-certificates', `at most ${MAX_SIGNING_CERTIFICATES} signing certificates can be active (for rollover): remove one first`);
  }
  return [...certificates, added];
}

function sameConfiguration(a: SsoConfiguration, b: SsoConfiguration): boolean {
  const fields = ['enabled', 'idp', 'signInUrl', 'issuer', 'signOutUrl', 'adminRole'] as const;
  return (
    fields.every((field) => (a[field] ?? null) === (b[field] ?? null)) &&
    a.certificates.map((certificate) => certificate.thumbprint).join() === b.certificates.map((certificate) => certificate.thumbprint).join()
  );
}

/** Sign-in cannot work without all three, so SSO cannot be switched on (or left on) without them. */
function assertComplete(configuration: SsoConfiguration): void {
  const missing = [
    configuration.signInUrl === null && 'the sign-in page URL',
    configuration.issuer === null && 'the IdP issuer',
    configuration.certificates.length === 0 && 'a signing certificate',
  ].filter(Boolean);
  if (missing.length > 0) throw new SsoRuleViolation('incomplete', `single sign-on needs ${missing.join(', ')} before it can be enabled`);
}

/** https only; plain http only for loopback hosts, and only where development allows it. */
function checkedUrl(field: string, value: string, allowLoopback: boolean): string {
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw new SsoRuleViolation('invalid-url', `${field} is not a URL`);
  }
  const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
  if (url.protocol === 'https:' && !url.username && !url.password) return url.toString();
  if (url.protocol === 'http:' && loopback && allowLoopback) return url.toString();
  throw new SsoRuleViolation('invalid-url', `${field} must be an https URL${allowLoopback ? ' (or http on localhost)' : ''}`);
}

/** Azure's is `https://sts.windows.net/<tenant>/`, compared exactly later, so it is kept as typed (trimmed). */
function checkedIssuer(value: string): string {
  const issuer = value.trim();
  if (issuer.length === 0 || issuer.length > 2048 || /\s/.test(issuer)) throw new SsoRuleViolation('invalid-issuer', 'the issuer is a URL or URN without spaces');
  return issuer;
}

/** An app role's value as Azure AD sends it in the role claim (for example `Console.Admin`). */
function checkedRole(value: string | null | undefined): string | null {
  const role = value?.trim() ?? '';
  if (role.length === 0) return null;
  if (role.length > 128 || /\s/.test(role)) throw new SsoRuleViolation('invalid-role', 'the admin role is the value of an Azure AD app role, without spaces, up to 128 characters');
  return role;
}

export const ssoConfigurationDecider = { initialState: initialSsoConfiguration, evolve: evolveSsoConfiguration, decide: decideSsoConfiguration };
