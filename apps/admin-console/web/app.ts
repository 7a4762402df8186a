/// <reference lib="dom" />
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { activeSince, atNextActivity } from './activity';
import { allItems, api, clearSession, directoryTakesToken, loadSession, renewSsoWith, saveSession, TenantApi, TOKEN_MARGIN_MS, whenTokenRefused, type Session } from './api';
import { BulkUpload } from './bulk-upload';
import { html } from './html';
import { Licenses } from './licenses';
import { ProvisioningLog } from './provisioning-log';
import { Security } from './security';
import { SignIn, ssoSession } from './sign-in';
import { Sites } from './sites';
import { UserPage } from './user-page';
import { Users } from './users';

const PAGES = [
  { route: 'security', title: 'Identity and Security' },
  { route: 'users', title: 'Users' },
  { route: 'bulk', title: 'Bulk upload' },
  { route: 'sites', title: 'Sites' },
  { route: 'licenses', title: 'Licenses' },
  { route: 'logs', title: 'Provisioning log' },
] as const;

/** Hash routes (`#/users/<id>`): the server serves one page, and a reload keeps the place. */
function currentRoute(): string[] {
  const decoded = (part: string) => {
    try {
      return decodeURIComponent(part);
    } catch {
      return part; // a malformed link (`%E0`) finds nothing, rather than blanking the console
    }
  };
  const parts = location.hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decoded);
  return parts.length > 0 ? parts : ['security'];
}

export function App() {
  const [session, setSession] = useState<Session | null>(loadSession);
  const [notAdmin, setNotAdmin] = useState(false);
  const [tokenRefused, setTokenRefused] = useState(false);
  const [route, setRoute] = useState(currentRoute);
  // One SSO renewal at a time, shared by the timer, the admin's next activity and calls made with
  // an expired token (after an idle spell): the first click after it waits for the new token.
  const renewal = useRef<Promise<Session | 'ended' | 'unavailable'> | undefined>(undefined);
  const renewSso = () =>
    (renewal.current ??= (async () => {
      const next = await ssoSession();
      if (next === 'unavailable') return next;
      if (next !== null && typeof next === 'object' && 'signInAgain' in next) {
        // The admin role is re-read at a new sign-in, which keeps the SSO session meanwhile.
        location.assign(next.signInAgain);
        return 'ended' as const;
      }
      if (next === 'not-admin' || next === null) {
        setNotAdmin(next === 'not-admin');
        if (session?.sso) signOut();
        return 'ended' as const;
      }
      saveSession(next);
      setSession(next);
      return next;
    })().finally(() => (renewal.current = undefined)));
  // The session's own token refused (revoked, or expired): an SSO admin's is renewed (which ends the
  // console session if the SSO session or the admin role has gone); any other admin signs in again.
  whenTokenRefused((token) => {
    const current = loadSession();
    if (current?.token !== token) return;
    if (current.sso) return void renewSso();
    void directoryTakesToken(token).then((taken) => {
      if (taken || loadSession()?.token !== token) return;
      clearSession();
      setTokenRefused(true);
      setSession(null);
    });
  });
  renewSsoWith(async () => {
    const current = loadSession();
    if (current?.sso && current.sso.expiresAt - Date.now() > TOKEN_MARGIN_MS) return current;
    const next = await renewSso();
    return typeof next === 'string' ? null : next;
  });
  // Back from the company's SSO, or a reload: the SSO session, if any, signs the admin in.
  useEffect(() => {
    if (session && !session.sso) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const renew = async () => {
      // Tried again in a few seconds; the token in hand still works until it expires.
      if ((await renewSso()) === 'unavailable') timer = setTimeout(() => void renew(), 5_000);
    };
    if (!session) void renew();
    // An SSO access token lives minutes; it is renewed before it runs out, and a revoked session
    // ends the console's. Renewing uses the session, so only an admin who did something since the
    // last token gets one; an idle one gets it at their next click or key, if the session still lives.
    let stopWaiting: (() => void) | undefined;
    const renewIfActive = () => {
      if (activeSince(session!.sso!.issuedAt ?? 0)) void renew();
      else stopWaiting = atNextActivity(() => void renew());
    };
    if (session) timer = setTimeout(renewIfActive, Math.max(5_000, session.sso!.expiresAt - Date.now() - 60_000));
    return () => {
      clearTimeout(timer);
      stopWaiting?.();
    };
  }, [session]);
  useEffect(() => {
    const onHash = () => setRoute(currentRoute());
    addEventListener('hashchange', onHash);
    return () => removeEventListener('hashchange', onHash);
  }, []);
  const signIn = (next: Session) => {
    saveSession(next);
    setTokenRefused(false);
    setSession(next);
  };
  function signOut() {
    clearSession();
    setSession(null);
    // An SSO admin leaves the SSO session too, or the console would sign them straight back in.
    if (session?.sso) location.assign('/sso/logout');
  }
  if (!session) return html`<${SignIn} onSignedIn=${signIn} notAdmin=${notAdmin} tokenRefused=${tokenRefused} />`;
  return html`<${Shell} session=${session} route=${route} onSession=${signIn} onSignOut=${signOut} />`;
}

function Shell({ session, route, onSession, onSignOut }: { session: Session; route: string[]; onSession: (session: Session) => void; onSignOut: () => void }) {
  const tenant = useMemo(() => new TenantApi(session), [session]);
  const [page, id] = route;
  const [menuOpen, setMenuOpen] = useState(false);
  return html`<a class="skip" href="#main" onClick=${skipToMain}>Skip to content</a>
    <header class="top">
      <span class="brand">Identity platform · Admin</span>
      <${TenantSwitch} session=${session} onSession=${onSession} />
      <button type="button" class="secondary" onClick=${onSignOut}>Sign out</button>
    </header>
    <div class="layout">
      <nav aria-label="Sections" class=${menuOpen ? 'open' : ''}>
        <button type="button" class="menu-toggle secondary" aria-expanded=${menuOpen} aria-controls="sections" onClick=${() => setMenuOpen(!menuOpen)}>Menu</button>
        <ul id="sections">
          ${PAGES.map(
            (entry) =>
              html`<li><a href=${`#/${entry.route}`} aria-current=${page === entry.route || (page === 'user' && entry.route === 'users') ? 'page' : undefined} onClick=${() => setMenuOpen(false)}>${entry.title}</a></li>`,
          )}
        </ul>
      </nav>
      <main id="main" tabindex="-1">${pageFor(tenant, session, page, id)}</main>
    </div>`;
}

function pageFor(tenant: TenantApi, session: Session, page: string, id: string | undefined) {
  const key = `${tenant.tenantId}:${page}:${id ?? ''}`;
  switch (page) {
    case 'users':
      return html`<${Users} key=${key} api=${tenant} />`;
    case 'user':
      return html`<${UserPage} key=${key} api=${tenant} userId=${id ?? ''} />`;
    case 'bulk':
      return html`<${BulkUpload} key=${key} api=${tenant} />`;
    case 'sites':
      return html`<${Sites} key=${key} api=${tenant} />`;
    case 'licenses':
      return html`<${Licenses} key=${key} api=${tenant} platform=${session.kind === 'platform'} />`;
    case 'logs':
      return html`<${ProvisioningLog} key=${key} api=${tenant} />`;
    default:
      return html`<${Security} key=${key} api=${tenant} />`;
  }
}

function skipToMain(event: Event) {
  event.preventDefault();
  document.getElementById('main')?.focus();
}

/** Platform operators look after every company; a company admin sees only their own. */
function TenantSwitch({ session, onSession }: { session: Session; onSession: (session: Session) => void }) {
  const [tenants, setTenants] = useState<{ tenantId: string; name: string }[]>([]);
  useEffect(() => {
    if (session.kind !== 'platform') return;
    allItems<{ tenantId: string; name: string }>(session.token, '/api/v1/tenants').then(
      (items) => setTenants(items),
      () => setTenants([]),
    );
  }, [session.token, session.kind]);
  if (session.kind !== 'platform') return html`<${CompanyOf} session=${session} />`;
  // Switched by its button, not on change: arrowing through a closed dropdown changes it at every step.
  const choose = (event: Event) => {
    event.preventDefault();
    const tenantId = String(new FormData(event.currentTarget as HTMLFormElement).get('tenantId') ?? '');
    const chosen = tenants.find((tenant) => tenant.tenantId === tenantId);
    if (chosen && chosen.tenantId !== session.tenantId) onSession({ ...session, tenantId: chosen.tenantId, tenantName: chosen.name });
  };
  return html`<form class="tenant" onSubmit=${choose}>
    <label for="tenant-switch">Company</label>
    <select id="tenant-switch" name="tenantId" defaultValue=${session.tenantId} key=${session.tenantId}>
      ${tenants.length === 0 ? html`<option value=${session.tenantId}>${session.tenantName ?? session.tenantId}</option>` : null}
      ${tenants.map((tenant) => html`<option value=${tenant.tenantId}>${tenant.name}</option>`)}
    </select>
    <button type="submit" class="secondary">Switch company</button>
  </form>`;
}

/** A company admin's company by name, and who signed in with SSO: nobody works in another's console unawares. */
function CompanyOf({ session }: { session: Session }) {
  const [name, setName] = useState(session.tenantName);
  useEffect(() => {
    if (session.tenantName) return;
    api<{ name: string }>(session.token, 'GET', `/api/v1/tenants/${encodeURIComponent(session.tenantId)}`).then(
      (tenant) => setName(tenant.name),
      () => setName(undefined),
    );
  }, [session.token, session.tenantId, session.tenantName]);
  return html`<span class="tenant">Company ${name ?? session.tenantId}${session.sso ? ` · signed in as ${session.sso.userName}` : ''}</span>`;
}
