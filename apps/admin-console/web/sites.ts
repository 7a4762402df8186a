/// <reference lib="dom" />
import { useState } from 'preact/hooks';
import type { TenantApi } from './api';
import { html } from './html';
import { ErrorMessage, Loading, PageHeading, StatusMessage, formatTime, useLoad } from './ui';

interface SiteRow {
  siteId: string;
  name: string;
  createdAt: string;
  formerNames: string[];
}

export function Sites({ api }: { api: TenantApi }) {
  const sites = useLoad(async () => ({ items: await api.all<SiteRow>('/sites') }), [api]);
  const [error, setError] = useState<unknown>(null);
  const [status, setStatus] = useState<string | null>(null);
  const create = async (event: Event) => {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const name = String(new FormData(form).get('name') ?? '').trim();
    setError(null);
    setStatus(null);
    try {
      await api.send('POST', '/sites', { json: { name } });
      form.reset();
      setStatus(`Site ${name} created.`);
      await sites.reload();
    } catch (caught) {
      setError(caught);
    }
  };
  return html`<${PageHeading}>Sites<//>
    <p class="hint">The identity provider sets a user’s site by its exact name (Azure AD: Office).</p>
    <form class="inline" onSubmit=${create}>
      <div class="field"><label for="site-name">New site name</label><input id="site-name" name="name" type="text" required maxlength="200" /></div>
      <button type="submit">Create site</button>
    </form>
    <${ErrorMessage} error=${error} />
    <${StatusMessage} text=${status} />
    <${ErrorMessage} error=${sites.error} />
    <${Loading} loading=${sites.loading && !sites.data} />
    ${sites.data &&
    html`<div class="table-wrap"><table>
      <caption class="visually-hidden">Sites</caption>
      <thead><tr><th scope="col">Name</th><th scope="col">Former names</th><th scope="col">Created</th></tr></thead>
      <tbody>
        ${sites.data.items.map((site) => html`<tr><td>${site.name}</td><td>${site.formerNames.join(', ')}</td><td>${formatTime(site.createdAt)}</td></tr>`)}
      </tbody>
    </table></div>`}`;
}
