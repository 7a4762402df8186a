/// <reference lib="dom" />
import { useState } from 'preact/hooks';
import { ApiError, type TenantApi } from './api';
import { html } from './html';
import { LogTable, type LogEntry } from './provisioning-log';
import { UserTelephony } from './telephony';
import { ErrorMessage, Loading, PageHeading, StatusMessage, formatTime, useLoad } from './ui';
import { fullName, licensePlan, siteName, type AdminUser, type Site } from './users';

interface Usage {
  plans: { plan: string; seats: number; used: number; free: number }[];
}

const FIELD_LABELS: Record<string, string> = { userName: 'Username', givenName: 'First name', familyName: 'Last name', email: 'Email', active: 'Activation' };

export function UserPage({ api, userId }: { api: TenantApi; userId: string }) {
  const user = useLoad(() => api.get<AdminUser>(`/users/${encodeURIComponent(userId)}`), [api, userId]);
  const sites = useLoad(async () => ({ items: await api.all<Site>('/sites') }), [api]);
  const usage = useLoad(() => api.get<Usage>('/licenses'), [api]);
  const history = useLoad(() => api.get<{ items: LogEntry[] }>(`/provisioning/logs?limit=200&user=${encodeURIComponent(userId)}`), [api, userId]);
  const [actionError, setActionError] = useState<unknown>(null);
  const [status, setStatus] = useState<string | null>(null);
  // The directory learns of a license from licensing's events, a moment after licensing answers:
  // until then the page shows what licensing said ('' for none), so the next change starts from it.
  const [answeredPlan, setAnsweredPlan] = useState<string | undefined>(undefined);

  const run = async (done: string, action: () => Promise<unknown>) => {
    setActionError(null);
    setStatus(null);
    try {
      await action();
      setStatus(done);
    } catch (caught) {
      setActionError(caught);
    }
    // Read again either way: a change the platform refused in part (a license removed, its extension not yet released) shows as it stands.
    await Promise.all([user.reload(), usage.reload()]);
  };
  const form = (event: Event) => {
    event.preventDefault();
    return new FormData(event.currentTarget as HTMLFormElement);
  };
  const setSite = (event: Event) => {
    const siteId = String(form(event).get('siteId') ?? '');
    const name = sites.data?.items.find((site) => site.siteId === siteId)?.name ?? siteId;
    // Nothing can change a site once set, and the identity provider's later updates must name the same one.
    if (!window.confirm(`Give this user the site ${name}? A user's site cannot be changed afterwards.`)) return;
    return run('Site saved.', () => api.send('PATCH', `/users/${userId}`, { json: { siteId } }));
  };
  const currentPlan = answeredPlan ?? (user.data ? licensePlan(user.data.license) : '');
  const assign = (event: Event) => {
    const plan = String(form(event).get('plan') ?? '');
    const swap = currentPlan !== '' && currentPlan !== plan;
    // Changing a user's plan is a swap the admin means: the API refuses one not asked for.
    if (swap && !window.confirm(`Swap this user's ${currentPlan} license for ${plan}? The ${currentPlan} seat is freed.`)) return;
    return run(`License ${plan} assigned.`, async () => {
      // Licensing learns a site the admin just set from the directory's events, a moment later.
      for (let attempt = 1; ; attempt++) {
        try {
          await api.send('PUT', `/licenses/users/${userId}`, { json: { plan, swap } });
          break;
        } catch (caught) {
          const catchingUp = caught instanceof ApiError && ['site-missing', 'user-not-found'].includes(caught.title) && siteName(user.data?.site ?? null) !== '';
          if (!catchingUp || attempt >= 5) throw caught;
          await new Promise((resolve) => setTimeout(resolve, 1000));
        }
      }
      setAnsweredPlan(plan);
    });
  };
  const unassign = () => {
    if (!window.confirm(`Remove the ${currentPlan} license? The user's extension and direct number are released too.`)) return;
    return run('License removed.', async () => {
      await api.send('DELETE', `/licenses/users/${userId}`);
      setAnsweredPlan('');
    });
  };
  const setVisible = (visible: boolean) =>
    run(visible ? 'Shown in the company directory.' : 'Hidden from the company directory.', () => api.send('PUT', `/users/${userId}/directory-visibility`, { json: { visible } }));

  const data = user.data;
  const entries = history.data?.items ?? [];
  return html`<p><a href="#/users">← Users</a></p>
    <${PageHeading}>${data ? data.userName : 'User'}<//>
    <${Loading} loading=${user.loading && !data} />
    <${ErrorMessage} error=${user.error} />
    ${data &&
    html`<section class="panel" aria-labelledby="profile-heading">
        <h2 id="profile-heading">Profile</h2>
        <dl class="facts">
          <dt>Name</dt><dd>${fullName(data) || '—'}</dd>
          <dt>Email</dt><dd>${data.email ?? '—'}</dd>
          <dt>Status</dt><dd>${data.status === 'active' ? 'Active' : 'Deactivated'}</dd>
          <dt>Managed by</dt><dd>${data.owner === 'idp' ? `Identity provider (${data.source})` : 'Admins'}</dd>
          <dt>Locked fields</dt>
          <dd>${data.lockedFields.length === 0 ? 'None: admins can edit every field' : html`<ul class="chips" aria-label="Fields only the identity provider can change">${data.lockedFields.map((field) => html`<li>${FIELD_LABELS[field] ?? field}</li>`)}</ul>`}</dd>
          <dt>Site</dt><dd>${siteName(data.site) || 'None'}</dd>
          <dt>License</dt><dd>${currentPlan || 'None'}</dd>
          <dt>Company directory</dt><dd>${data.visibleInDirectory ? 'Shown' : 'Hidden'}</dd>
          <dt>Created</dt><dd>${formatTime(data.createdAt)}</dd>
        </dl>
      </section>
      <section class="panel" aria-labelledby="settings-heading">
        <h2 id="settings-heading">Site, license and directory</h2>
        ${siteName(data.site)
          ? html`<p class="muted">The site cannot change once set.</p>`
          : html`<form class="inline" onSubmit=${setSite}>
              <div class="field">
                <label for="user-site">Site</label>
                <select id="user-site" name="siteId" required>
                  <option value="">Choose a site</option>
                  ${(sites.data?.items ?? []).map((site) => html`<option value=${site.siteId}>${site.name}</option>`)}
                </select>
              </div>
              <button type="submit" disabled=${(sites.data?.items ?? []).length === 0}>Set site</button>
            </form>`}
        <form class="inline" onSubmit=${assign}>
          <div class="field">
            <label for="user-plan">License plan</label>
            <select id="user-plan" name="plan" required defaultValue=${currentPlan} key=${currentPlan}>
              ${(usage.data?.plans ?? []).map((plan) => html`<option value=${plan.plan}>${plan.plan} (${plan.free} free)</option>`)}
            </select>
          </div>
          <button type="submit" disabled=${(usage.data?.plans ?? []).length === 0}>Assign license</button>
          ${currentPlan && html`<button type="button" class="secondary" onClick=${unassign}>Remove license</button>`}
        </form>
        <button type="button" class="secondary" onClick=${() => setVisible(!data.visibleInDirectory)}>
          ${data.visibleInDirectory ? 'Hide from the company directory' : 'Show in the company directory'}
        </button>
        <${ErrorMessage} error=${sites.error ?? usage.error} />
        <${ErrorMessage} error=${actionError} />
        <${StatusMessage} text=${status} />
      </section>
      <${UserTelephony} api=${api} userId=${userId} licensed=${currentPlan !== ''} />
      <section class="panel" aria-labelledby="history-heading">
        <h2 id="history-heading">Provisioning history</h2>
        <${ErrorMessage} error=${history.error} />
        ${entries.length === 0 ? html`<p class="muted">The identity provider has sent nothing about this user.</p>` : html`<${LogTable} entries=${entries} caption="Provisioning history of this user" />`}
      </section>`}`;
}
