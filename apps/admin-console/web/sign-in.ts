/// <reference lib="dom" />
import { useState } from 'preact/hooks';
import { api, ApiError, type Session } from './api';
import { html } from './html';
import { sessionOfToken, type SignInAgain, type SsoTokenResponse } from './sso-token';
import { ErrorMessage, PageHeading } from './ui';

interface Tenant {
  tenantId: string;
  name: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Finds out what the token is: the platform operators' token reads any company (the one named, by
 * its ID, however many there are; else the first); a company admin's token is refused that (403)
 * and is checked against the company it names instead.
 */
export async function signInWith(token: string, tenantId: string): Promise<Session> {
  try {
    // Only the operators' token may list companies: a company admin's gets 403 here.
    const first = (await api<{ items: Tenant[] }>(token, 'GET', '/api/v1/tenants?limit=1')).items[0];
    if (tenantId && !UUID.test(tenantId)) throw new ApiError(404, 'Not Found', 'no company has this ID');
    const chosen = tenantId
      ? await api<Tenant>(token, 'GET', `/api/v1/tenants/${tenantId}`).catch((error: unknown) => {
          throw error instanceof ApiError && error.status === 404 ? new ApiError(404, 'Not Found', 'no company has this ID') : error;
        })
      : first;
    if (!chosen) throw new ApiError(404, 'Not Found', 'there is no company yet: create one with the CLI (tenant create) first');
    return { token, kind: 'platform', tenantId: chosen.tenantId, tenantName: chosen.name };
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 403) throw error;
  }
  if (!UUID.test(tenantId)) throw new ApiError(400, 'Company ID needed', 'a company admin token needs the company ID it was issued for');
  await api(token, 'GET', `/api/v1/tenants/${tenantId}/sso`);
  return { token, kind: 'tenant', tenantId };
}

/** Where the company's SSO sends an admin back to after sign-in. */
export const SSO_SIGN_IN = `/sso/login?relayState=${encodeURIComponent('/console')}`;

/**
 * An admin who signed in with the company's SSO: the SSO session (its HttpOnly cookie, sent to
 * our own origin only) gives a short-lived access token; only holders of the company's admin app
 * role get one the admin APIs accept. `notAdmin` when signed in without that role.
 */
export async function ssoSession(): Promise<Session | 'not-admin' | null | 'unavailable' | SignInAgain> {
  let response: Response;
  try {
    response = await fetch('/sso/token', { method: 'POST', credentials: 'same-origin', cache: 'no-store' });
  } catch {
    return 'unavailable';
  }
  // Only a definite "no session" signs the console out; a blip (a 502 during a rollout) is retried.
  if (response.status === 401) return null;
  if (!response.ok) return 'unavailable';
  return sessionOfToken((await response.json()) as SsoTokenResponse, Date.now());
}

export function SignIn({ onSignedIn, notAdmin, tokenRefused }: { onSignedIn: (session: Session) => void; notAdmin?: boolean; tokenRefused?: boolean }) {
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    setBusy(true);
    setError(null);
    try {
      onSignedIn(await signInWith(String(form.get('token') ?? '').trim(), String(form.get('tenantId') ?? '').trim()));
    } catch (caught) {
      setError(caught instanceof ApiError && caught.status === 401 ? new ApiError(401, 'Unauthorized', 'this token is not valid (or was revoked)') : caught);
    } finally {
      setBusy(false);
    }
  };
  return html`<main id="main" class="sign-in">
    <${PageHeading}>Sign in to the admin console<//>
    ${tokenRefused ? html`<p role="alert" class="alert">Your admin token is no longer accepted (it was revoked, or it expired): sign in again with a current one.</p>` : null}
    <p>Use the platform operators’ token or your company’s admin token. It is kept in this browser tab only (reopening a closed tab may bring it back): sign out when you are done.</p>
    <form onSubmit=${submit} novalidate>
      <div class="field">
        <label for="token">Admin token</label>
        <input id="token" name="token" type="password" autocomplete="off" required spellcheck=${false} />
      </div>
      <div class="field">
        <label for="tenantId">Company ID</label>
        <input id="tenantId" name="tenantId" type="text" autocomplete="off" spellcheck=${false} aria-describedby="tenantId-hint" />
        <p id="tenantId-hint" class="hint">Needed with a company’s own token. With the platform token, leave it empty to open the first company.</p>
      </div>
      <${ErrorMessage} error=${error} />
      <button type="submit" disabled=${busy}>${busy ? 'Signing in…' : 'Sign in'}</button>
    </form>
    <h2>Company admins</h2>
    ${notAdmin
      ? html`<p role="alert" class="alert">You are signed in with your company account, but it does not hold your company’s admin role. Ask your Azure AD administrator to assign it.</p>`
      : null}
    <p>Sign in with your company account if your company set up single sign-on and gave you its admin role.</p>
    <p><a class="button-link" href=${SSO_SIGN_IN}>Sign in with your company account</a></p>
  </main>`;
}
