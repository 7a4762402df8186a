/// <reference lib="dom" />
import { useState } from 'preact/hooks';
import { query, type TenantApi } from './api';
import { html } from './html';
import { ErrorMessage, Loading, PageHeading, useLoad } from './ui';

export interface AdminUser {
  userId: string;
  userName: string;
  status: 'active' | 'deactivated';
  owner: 'idp' | 'admin';
  source: string;
  givenName: string | null;
  familyName: string | null;
  email: string | null;
  title: string | null;
  department: string | null;
  site: { siteId: string; name: string } | string | null;
  license: { plan: string } | string | null;
  visibleInDirectory: boolean;
  lockedFields: string[];
  createdAt: string;
  updatedAt: string;
  version: number;
}

export interface Site {
  siteId: string;
  name: string;
}

interface Page<T> {
  items: T[];
  total: number;
  offset: number;
  limit: number;
}

const PAGE_SIZE = 25;

export const siteName = (site: AdminUser['site']) => (site === null ? '' : typeof site === 'string' ? site : site.name);
export const licensePlan = (license: AdminUser['license']) => (license === null ? '' : typeof license === 'string' ? license : license.plan);
export const fullName = (user: AdminUser) => [user.givenName, user.familyName].filter(Boolean).join(' ');

interface Filters {
  q: string;
  status: string;
  owner: string;
  siteId: string;
  licensed: string;
}

export function Users({ api }: { api: TenantApi }) {
  const [filters, setFilters] = useState<Filters>({ q: '', status: '', owner: '', siteId: '', licensed: '' });
  const [offset, setOffset] = useState(0);
  const sites = useLoad(async () => ({ items: await api.all<Site>('/sites') }), [api]);
  const users = useLoad(() => api.get<Page<AdminUser>>(`/users${query({ ...filters, offset, limit: PAGE_SIZE })}`), [api, filters, offset]);

  const apply = (event: Event) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    const value = (name: string) => String(form.get(name) ?? '').trim();
    setFilters({ q: value('q'), status: value('status'), owner: value('owner'), siteId: value('siteId'), licensed: value('licensed') });
    setOffset(0);
  };
  const page = users.data;
  // The filter form owns what the admin types (no value bindings): a list that refreshes while they
  // type must not reset the fields to the filters last applied.
  return html`<${PageHeading}>Users<//>
    <form class="filters" role="search" aria-label="Find users" onSubmit=${apply}>
      <div class="field grow">
        <label for="users-q">Search</label>
        <input id="users-q" name="q" type="search" placeholder="Username, name or email" />
      </div>
      <div class="field">
        <label for="users-status">Status</label>
        <select id="users-status" name="status">
          <option value="">Any</option><option value="active">Active</option><option value="deactivated">Deactivated</option>
        </select>
      </div>
      <div class="field">
        <label for="users-owner">Managed by</label>
        <select id="users-owner" name="owner">
          <option value="">Anyone</option><option value="idp">Identity provider</option><option value="admin">Admins</option>
        </select>
      </div>
      <div class="field">
        <label for="users-site">Site</label>
        <select id="users-site" name="siteId">
          <option value="">Any site</option>
          ${(sites.data?.items ?? []).map((site) => html`<option value=${site.siteId}>${site.name}</option>`)}
        </select>
      </div>
      <div class="field">
        <label for="users-licensed">License</label>
        <select id="users-licensed" name="licensed">
          <option value="">Any</option><option value="true">Licensed</option><option value="false">Unlicensed</option>
        </select>
      </div>
      <button type="submit">Search</button>
    </form>
    <${ErrorMessage} error=${users.error} />
    <${Loading} loading=${users.loading && !page} />
    ${page &&
    html`<p role="status" aria-live="polite">${page.total === 0 ? 'No users match.' : `Users ${page.offset + 1}–${page.offset + page.items.length} of ${page.total}`}</p>
      <div class="table-wrap"><table>
        <caption class="visually-hidden">Users</caption>
        <thead><tr><th scope="col">Username</th><th scope="col">Name</th><th scope="col">Status</th><th scope="col">Managed by</th><th scope="col">Site</th><th scope="col">License</th></tr></thead>
        <tbody>
          ${page.items.map(
            (user) => html`<tr>
              <td><a href=${`#/user/${user.userId}`}>${user.userName}</a></td>
              <td>${fullName(user)}</td>
              <td>${user.status === 'active' ? 'Active' : 'Deactivated'}</td>
              <td>${user.owner === 'idp' ? `IdP (${user.source})` : 'Admins'}</td>
              <td>${siteName(user.site) || html`<span class="muted">none</span>`}</td>
              <td>${licensePlan(user.license) || html`<span class="muted">none</span>`}</td>
            </tr>`,
          )}
        </tbody>
      </table></div>
      <nav class="pager" aria-label="Pages of users">
        <button type="button" class="secondary" disabled=${offset === 0} onClick=${() => setOffset(Math.max(0, offset - PAGE_SIZE))}>Previous</button>
        <button type="button" class="secondary" disabled=${offset + PAGE_SIZE >= page.total} onClick=${() => setOffset(offset + PAGE_SIZE)}>Next</button>
      </nav>`}`;
}
