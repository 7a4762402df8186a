/// <reference lib="dom" />
import { useState } from 'preact/hooks';
import { ApiError, type TenantApi } from './api';
import { html } from './html';
import { CopyField, ErrorMessage, Loading, PageHeading, StatusMessage, formatTime, useLoad } from './ui';

interface Certificate {
  subject: string;
  thumbprint: string;
  sha1Thumbprint: string;
  notBefore: string;
  notAfter: string;
  expiresInDays: number;
  expiresSoon: boolean;
}

interface SsoView {
  enabled: boolean;
  idp: 'azure-ad' | 'saml2';
  signInUrl: string | null;
  issuer: string | null;
  signOutUrl: string | null;
  adminRole: string | null;
  certificates: Certificate[];
  warnings: string[];
  serviceProvider: { entityId: string; replyUrl: string; signOnUrl: string; logoutUrl: string; metadataUrl: string };
}

interface ProvisioningView {
  enabled: boolean;
  idp: 'azure-ad' | 'okta' | null;
  userRetrieval: 'all' | 'idp-only';
  scimUrl: string;
  tokens: { tokenId: string; issuedAt: string; validUntil: string | null }[];
}

export function Security({ api }: { api: TenantApi }) {
  return html`<${PageHeading}>Identity and Security<//>
    <${SsoPanel} api=${api} />
    <${ProvisioningPanel} api=${api} />`;
}

/**
 * The platform refuses to issue credentials (a provisioning token, a signing certificate) to an
 * admin signed in with single sign-on: they would outlive the session. The console says so
 * instead of offering buttons that always fail.
 */
const CREDENTIALS_NEED_ADMIN_TOKEN = 'Signed in with single sign-on, you cannot issue credentials here: sign in with the company’s admin API token to';

function SsoPanel({ api }: { api: TenantApi }) {
  const { data, error, loading, reload } = useLoad(() => api.get<SsoView>('/sso'), [api]);
  const [saveError, setSaveError] = useState<unknown>(null);
  const [uploadError, setUploadError] = useState<unknown>(null);
  const [status, setStatus] = useState<string | null>(null);

  const save = async (event: Event) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    const text = (name: string) => String(form.get(name) ?? '').trim() || null;
    // What ends sessions asks first, the admin's own first among them when they came in with single sign-on.
    const you = api.session.sso ? ' You signed in with it: you are signed out too, and only the company’s admin API token opens the console then.' : '';
    const turningOff = data?.enabled === true && form.get('enabled') !== 'on';
    const roleChanging = data?.enabled === true && !turningOff && (data.adminRole ?? null) !== text('adminRole');
    if (turningOff && !window.confirm(`Turn single sign-on off? Every employee's single sign-on session ends.${you}`)) return;
    if (roleChanging && !window.confirm(`Change the admin role? Admins who signed in with single sign-on lose the console until they sign in again with the new role.${you}`)) return;
    setSaveError(null);
    setStatus(null);
    try {
      await api.send('PUT', '/sso', {
        json: { enabled: form.get('enabled') === 'on', idp: form.get('idp'), signInUrl: text('signInUrl'), issuer: text('issuer'), signOutUrl: text('signOutUrl'), adminRole: text('adminRole') },
      });
      setStatus('Single sign-on settings saved.');
      await reload();
    } catch (caught) {
      setSaveError(caught);
    }
  };

  // The file goes up as downloaded: the platform recognises DER, PFX, PKCS#7, keys and metadata and says which it got.
  const upload = async (event: Event) => {
    const input = event.currentTarget as HTMLInputElement;
    const file = input.files?.[0];
    if (!file) return;
    setUploadError(null);
    setStatus(null);
    try {
      await api.send('POST', '/sso/certificates', { body: await file.arrayBuffer(), contentType: 'application/octet-stream' });
      setStatus(`Certificate ${file.name} added.`);
      await reload();
    } catch (caught) {
      setUploadError(caught instanceof ApiError ? new ApiError(caught.status, caught.title, `${file.name} was not accepted: ${caught.detail}`, caught.reason) : caught);
    } finally {
      input.value = '';
    }
  };

  const remove = async (thumbprint: string, shown: string) => {
    const last = data?.certificates.length === 1;
    if (last && api.session.sso) {
      // Signed in with single sign-on, the admin could not upload the next one: the company would be locked out of it.
      setUploadError(new Error(`${shown} is the only certificate, and signed in with single sign-on you cannot add another: sign in with the company’s admin API token to replace it.`));
      return;
    }
    if (!window.confirm(`Remove certificate ${shown}?${last ? ' It is the only one: nobody can sign in with single sign-on until another is added.' : ' Sign-ins signed with it stop working.'}`)) return;
    setUploadError(null);
    try {
      await api.send('DELETE', `/sso/certificates/${encodeURIComponent(thumbprint)}`);
      setStatus('Certificate removed.');
      await reload();
    } catch (caught) {
      setUploadError(caught);
    }
  };

  return html`<section class="panel" aria-labelledby="sso-heading">
    <h2 id="sso-heading">Single sign-on (SAML)</h2>
    <${Loading} loading=${loading && !data} />
    <${ErrorMessage} error=${error} />
    ${data &&
    html`<form onSubmit=${save} aria-describedby="sso-state">
        <p id="sso-state" class=${data.enabled ? 'badge on' : 'badge off'}>${data.enabled ? 'Single sign-on is on' : 'Single sign-on is off'}</p>
        <div class="field checkbox">
          <input id="sso-enabled" name="enabled" type="checkbox" defaultChecked=${data.enabled} />
          <label for="sso-enabled">Employees sign in with the company’s identity provider</label>
        </div>
        <div class="field">
          <label for="sso-idp">Identity provider</label>
          <select id="sso-idp" name="idp">
            <option value="azure-ad" selected=${data.idp !== 'saml2'}>Microsoft Entra ID (Azure AD)</option>
            <option value="saml2" selected=${data.idp === 'saml2'}>Other SAML 2.0 identity provider</option>
          </select>
        </div>
        <div class="field">
          <label for="sso-sign-in-url">Sign-in URL (Azure: Login URL)</label>
          <input id="sso-sign-in-url" name="signInUrl" type="url" defaultValue=${data.signInUrl ?? ''} placeholder="https://login.microsoftonline.com/…/saml2" />
        </div>
        <div class="field">
          <label for="sso-issuer">Issuer (Azure: Microsoft Entra Identifier)</label>
          <input id="sso-issuer" name="issuer" type="text" defaultValue=${data.issuer ?? ''} placeholder="https://sts.windows.net/…/" />
        </div>
        <div class="field">
          <label for="sso-sign-out-url">Sign-out URL (optional)</label>
          <input id="sso-sign-out-url" name="signOutUrl" type="url" defaultValue=${data.signOutUrl ?? ''} />
        </div>
        <div class="field">
          <label for="sso-admin-role">Admin role (optional: the Azure AD app role whose holders may sign in here)</label>
          <input id="sso-admin-role" name="adminRole" type="text" defaultValue=${data.adminRole ?? ''} placeholder="Console.Admin" />
        </div>
        <${ErrorMessage} error=${saveError} />
        <button type="submit">Save single sign-on</button>
      </form>

      <h3>Signing certificates</h3>
      ${data.warnings.length > 0 && html`<ul class="warnings" aria-label="Warnings">${data.warnings.map((warning) => html`<li class="warning">${warning}</li>`)}</ul>`}
      ${data.certificates.length === 0
        ? html`<p class="muted">No certificate yet: upload the Certificate (Base64) that Azure AD offers.</p>`
        : html`<div class="table-wrap"><table>
            <caption class="visually-hidden">Signing certificates</caption>
            <thead><tr><th scope="col">Subject</th><th scope="col">Thumbprint (SHA-1)</th><th scope="col">Valid from</th><th scope="col">Expires</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
            <tbody>
              ${data.certificates.map(
                (certificate) => html`<tr class=${certificate.expiresSoon ? 'expiring' : ''}>
                  <td>${certificate.subject}</td>
                  <td class="mono">${certificate.sha1Thumbprint}</td>
                  <td>${formatTime(certificate.notBefore)}</td>
                  <td>${formatTime(certificate.notAfter)} <span class=${certificate.expiresSoon ? 'badge warn' : 'muted'}>${certificate.expiresInDays < 0 ? 'expired' : `in ${certificate.expiresInDays} days`}</span></td>
                  <td><button type="button" class="secondary" aria-label=${`Remove certificate ${certificate.sha1Thumbprint}`} onClick=${() => remove(certificate.thumbprint, certificate.sha1Thumbprint)}>Remove</button></td>
                </tr>`,
              )}
            </tbody>
          </table></div>`}
      ${api.session.sso
        ? html`<p class="muted">${CREDENTIALS_NEED_ADMIN_TOKEN} upload a signing certificate.</p>`
        : html`<div class="field">
            <label for="sso-certificate">Upload a signing certificate (Base64 .cer or .pem)</label>
            <input id="sso-certificate" type="file" accept=".cer,.pem,.crt" onChange=${upload} aria-describedby="sso-certificate-hint" />
            <p id="sso-certificate-hint" class="hint">In Azure AD, download <strong>Certificate (Base64)</strong>. Two certificates can be active during a rollover.</p>
          </div>`}
      <${ErrorMessage} error=${uploadError} />
      <${StatusMessage} text=${status} />

      <h3>Values for your identity provider</h3>
      <${CopyField} id="sp-entity-id" label="Identifier (Entity ID)" value=${data.serviceProvider.entityId} />
      <${CopyField} id="sp-reply-url" label="Reply URL (Assertion Consumer Service URL)" value=${data.serviceProvider.replyUrl} />
      <${CopyField} id="sp-sign-on-url" label="Sign on URL" value=${data.serviceProvider.signOnUrl} />
      <${CopyField} id="sp-logout-url" label="Logout URL" value=${data.serviceProvider.logoutUrl} />`}
  </section>`;
}

function ProvisioningPanel({ api }: { api: TenantApi }) {
  const { data, error, loading, reload } = useLoad(() => api.get<ProvisioningView>('/provisioning'), [api]);
  // The token exists only in this response: once the panel forgets it, nobody can read it again.
  const [newToken, setNewToken] = useState<string | null>(null);
  const [actionError, setActionError] = useState<unknown>(null);
  const [status, setStatus] = useState<string | null>(null);
  // What the admin picked, else the company's last IdP: turning provisioning on sends the one shown.
  const [picked, setIdp] = useState<'azure-ad' | 'okta' | null>(null);
  const idp = picked ?? data?.idp ?? 'azure-ad';

  const run = async (action: () => Promise<void>) => {
    setActionError(null);
    setStatus(null);
    try {
      await action();
      await reload();
    } catch (caught) {
      setActionError(caught);
    }
  };
  const enable = () =>
    run(async () => {
      const result = await api.send<{ token: string }>('PUT', '/provisioning/scim', { json: { idp } });
      setNewToken(result.token);
      setStatus('Provisioning is on. Copy the secret token now.');
    });
  const rotate = () =>
    run(async () => {
      const result = await api.send<{ token: string }>('POST', '/provisioning/scim/token', { json: {} });
      setNewToken(result.token);
      setStatus('New token issued; the previous one keeps working for 24 hours.');
    });
  const viaSso = api.session.sso !== undefined;
  const disable = () =>
    window.confirm(
      `Turn provisioning off? The identity provider’s requests are refused, and turning it on again issues a new token to enter in the identity provider${viaSso ? ', which needs the company’s admin API token: signed in with single sign-on, you cannot turn it on again' : ''}.`,
    ) &&
    run(async () => {
      await api.send('DELETE', '/provisioning/scim');
      setNewToken(null);
      setStatus('Provisioning is off.');
    });
  // Saved by its button, not on change: arrowing through a closed dropdown changes it at every step.
  const setRetrieval = (event: Event) => {
    event.preventDefault();
    const userRetrieval = String(new FormData(event.currentTarget as HTMLFormElement).get('userRetrieval') ?? '');
    return run(async () => {
      await api.send('PATCH', '/provisioning/scim', { json: { userRetrieval } });
      setStatus('User retrieval setting saved.');
    });
  };

  return html`<section class="panel" aria-labelledby="provisioning-heading">
    <h2 id="provisioning-heading">User provisioning (SCIM)</h2>
    <${Loading} loading=${loading && !data} />
    <${ErrorMessage} error=${error} />
    ${data &&
    html`<p class=${data.enabled ? 'badge on' : 'badge off'}>${data.enabled ? `Provisioning is on (${data.idp === 'okta' ? 'Okta' : 'Azure AD'})` : 'Provisioning is off'}</p>
      ${!data.enabled &&
      html`<div class="field">
          <label for="scim-idp">Identity provider</label>
          <select id="scim-idp" value=${idp} onChange=${(event: Event) => setIdp((event.currentTarget as HTMLSelectElement).value as 'azure-ad' | 'okta')}>
            <option value="azure-ad">Microsoft Entra ID (Azure AD)</option>
            <option value="okta">Okta</option>
          </select>
        </div>
        ${viaSso ? html`<p class="muted">${CREDENTIALS_NEED_ADMIN_TOKEN} enable provisioning.</p>` : html`<button type="button" onClick=${enable}>Enable provisioning</button>`}`}
      <${CopyField} id="scim-url" label="Tenant URL" value=${data.scimUrl} />
      ${newToken &&
      html`<div class="once" role="region" aria-labelledby="scim-token-heading">
        <h3 id="scim-token-heading">Secret token</h3>
        <p>Shown once: paste it into the identity provider now. It cannot be displayed again; rotate it if it is lost.</p>
        <${CopyField} id="scim-token" label="Secret token" value=${newToken} />
        <button type="button" class="secondary" onClick=${() => setNewToken(null)}>I have copied it</button>
      </div>`}
      ${data.enabled &&
      html`<p class="muted">${data.tokens.length} active token${data.tokens.length === 1 ? '' : 's'}${data.tokens.map((token) => ` · issued ${formatTime(token.issuedAt)}${token.validUntil ? `, valid until ${formatTime(token.validUntil)}` : ''}`).join('')}</p>
        <form class="inline" onSubmit=${setRetrieval}>
          <div class="field">
            <label for="scim-retrieval">User retrieval</label>
            <select id="scim-retrieval" name="userRetrieval" defaultValue=${data.userRetrieval} key=${data.userRetrieval}>
              <option value="all">All users (link users an admin created when the IdP sends the same username)</option>
              <option value="idp-only">Only users the IdP created</option>
            </select>
          </div>
          <button type="submit" class="secondary">Save user retrieval</button>
        </form>
        <div class="actions">
          ${!viaSso && html`<button type="button" class="secondary" onClick=${rotate}>Rotate token</button>`}
          <button type="button" class="danger" onClick=${disable}>Turn provisioning off</button>
        </div>`}
      <${ErrorMessage} error=${actionError} />
      <${StatusMessage} text=${status} />`}
  </section>`;
}
