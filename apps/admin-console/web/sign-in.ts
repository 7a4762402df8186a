/// <reference lib="dom" />
import { useState } from 'preact/hooks';
import { api, ApiError, type Session } from './api';
import { html } from './html';
import { ErrorMessage, PageHeading } from './ui';

interface TenantList {
  items: { tenantId: string; name: string }[];
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Finds out what the token is: the platform operators' token lists companies; a company admin's
 * token is refused that list (403) and is checked against the company it names instead.
 */
export async function signInWith(token: string, tenantId: string): Promise<Session> {
  try {
    const tenants = await api<TenantList>(token, 'GET', '/api/v1/tenants?limit=500');
    const chosen = tenantId ? tenants.items.find((tenant) => tenant.tenantId === tenantId) : tenants.items[0];
    if (tenantId && !chosen) throw new ApiError(404, 'Not Found', 'no company has this ID');
    if (!chosen) throw new ApiError(404, 'Not Found', 'there is no company yet: create one with the CLI (tenant create) first');
    return { token, kind: 'platform', tenantId: chosen.tenantId, tenantName: chosen.name };
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 403) throw error;
  }
  if (!UUID.test(tenantId)) throw new ApiError(400, 'Company ID needed', 'a company admin token needs the company ID it was issued for');
  await api(token, 'GET', `/api/v1/tenants/${tenantId}/sso`);
  return { token, kind: 'tenant', tenantId };
}

export function SignIn({ onSignedIn }: { onSignedIn: (session: Session) => void }) {
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
    <p>Use the platform operators’ token or your company’s admin token. It is kept in this browser tab only and forgotten when the tab closes.</p>
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
    <p class="muted">Company admins who sign in with their company’s SSO will get in here once the console accepts SAML sessions.</p>
  </main>`;
}
