import { readFileSync } from 'node:fs';
import { callApi, CliError, output, requiredFlag, switchFlag, type Invocation } from './cli-runtime';

const sso = (invocation: Invocation) => `/api/v1/tenants/${encodeURIComponent(requiredFlag(invocation, 'tenant'))}/sso`;

interface SsoView {
  enabled: boolean;
  idp: string;
  signInUrl: string | null;
  issuer: string | null;
  signOutUrl: string | null;
  adminRole: string | null;
  certificates: { subject: string; thumbprint: string; sha1Thumbprint: string; notAfter: string; expiresInDays: number }[];
  warnings: string[];
  serviceProvider: { entityId: string; replyUrl: string; signOnUrl: string; logoutUrl: string; metadataUrl: string };
}

const describe = (view: SsoView) => () =>
  [
    `SSO: ${view.enabled ? 'enabled' : 'disabled'} (${view.idp})`,
    `sign-in URL:  ${view.signInUrl ?? '-'}`,
    `issuer:       ${view.issuer ?? '-'}`,
    `sign-out URL: ${view.signOutUrl ?? '-'}`,
    `admin role:   ${view.adminRole ?? '- (company admins sign in to the console with an admin token)'}`,
    ...view.certificates.map(
      (certificate) =>
        `certificate:  ${certificate.subject}  expires ${certificate.notAfter.slice(0, 10)} (${certificate.expiresInDays} days)\n` +
        `              SHA-1 ${certificate.sha1Thumbprint} (as Azure AD shows it)  SHA-256 ${certificate.thumbprint}`,
    ),
    ...view.warnings.map((warning) => `warning: ${warning}`),
    `Identifier (Entity ID) and Reply URL for Azure AD: ${view.serviceProvider.entityId}`,
    `Sign on URL (optional): ${view.serviceProvider.signOnUrl}`,
  ].join('\n');

function readCertificate(file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    throw new CliError(`cannot read ${file}: ${(error as Error).message}`);
  }
}

/** The tenant's single sign-on integration (`sso ...`), as in the admin console. */
export const ssoCommands = {
  /**
   * Uploads the certificate (kept if already there) and saves the settings with SSO enabled. The
   * sign-out URL and admin role stay as they are unless given (an empty value clears them): running
   * the command again to change the issuer must not sign the company's console admins out.
   */
  async configure(invocation: Invocation): Promise<void> {
    const idp = requiredFlag(invocation, 'idp');
    if (!['azure-ad', 'saml2'].includes(idp)) throw new CliError('--idp is azure-ad or saml2');
    // Every argument is read before the first call: a refused one must not leave the certificate trusted.
    const certificate = invocation.flags.get('certificate');
    if (certificate === true) throw new CliError('--certificate needs a file (the Base64 certificate Azure AD offers)');
    const optional = (name: string): string | null | undefined => {
      const value = invocation.flags.get(name);
      if (value === true) throw new CliError(`--${name} needs a value ('' clears it)`);
      return value === undefined ? undefined : value || null;
    };
    const [signOutUrl, adminRole] = [optional('sign-out-url'), optional('admin-role')];
    const [enabled, signInUrl, issuer] = [!switchFlag(invocation, 'disabled'), requiredFlag(invocation, 'sign-in-url'), requiredFlag(invocation, 'issuer')];
    const upload = certificate === undefined ? undefined : readCertificate(certificate);
    const current = signOutUrl === undefined || adminRole === undefined ? await callApi<SsoView>('GET', sso(invocation)) : undefined;
    const settings = {
      enabled,
      idp,
      signInUrl,
      issuer,
      signOutUrl: signOutUrl === undefined ? current!.signOutUrl : signOutUrl,
      adminRole: adminRole === undefined ? current!.adminRole : adminRole,
    };
    // One request: settings the server refuses leave the certificate untrusted too.
    const view = await callApi<SsoView>('PUT', sso(invocation), { ...settings, ...(upload === undefined ? {} : { certificateFile: upload.toString('base64') }) });
    output(invocation, view, describe(view));
  },

  async status(invocation: Invocation): Promise<void> {
    const view = await callApi<SsoView>('GET', sso(invocation));
    output(invocation, view, describe(view));
  },

  /** `sso certificate add --tenant T FILE` (rollover: two can be active) or `sso certificate remove --tenant T --thumbprint SHA1-or-SHA256`. */
  async certificate(invocation: Invocation): Promise<void> {
    const action = invocation.words[2];
    let view: SsoView;
    if (action === 'add' && invocation.words[3]) view = await callApi<SsoView>('POST', `${sso(invocation)}/certificates`, readCertificate(invocation.words[3]));
    else if (action === 'remove') view = await callApi<SsoView>('DELETE', `${sso(invocation)}/certificates/${encodeURIComponent(requiredFlag(invocation, 'thumbprint'))}`);
    else throw new CliError('usage: sso certificate add --tenant T FILE | sso certificate remove --tenant T --thumbprint SHA1-or-SHA256');
    output(invocation, view, describe(view));
  },

  async disable(invocation: Invocation): Promise<void> {
    const current = await callApi<SsoView>('GET', sso(invocation));
    const view = await callApi<SsoView>('PUT', sso(invocation), {
      enabled: false,
      idp: current.idp,
      signInUrl: current.signInUrl,
      issuer: current.issuer,
      signOutUrl: current.signOutUrl,
      adminRole: current.adminRole,
    });
    output(invocation, view, describe(view));
  },
};
