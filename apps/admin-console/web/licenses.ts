/// <reference lib="dom" />
import { useState } from 'preact/hooks';
import type { TenantApi } from './api';
import { html } from './html';
import { TelephonySettings } from './telephony';
import { ErrorMessage, Loading, PageHeading, StatusMessage, useLoad } from './ui';

interface PlanUsage {
  plan: string;
  seats: number;
  used: number;
  free: number;
}

interface Usage {
  plans: PlanUsage[];
  unlicensedUsers: number;
  unlicensedUsersWithoutSite: number;
}

export function Licenses({ api, platform }: { api: TenantApi; platform: boolean }) {
  const usage = useLoad(() => api.get<Usage>('/licenses'), [api]);
  const [error, setError] = useState<unknown>(null);
  const [status, setStatus] = useState<string | null>(null);
  const setSeats = async (event: Event) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    const plan = String(form.get('plan') ?? '').trim();
    const seats = Number(form.get('seats'));
    setError(null);
    setStatus(null);
    try {
      await api.send('PUT', `/licenses/plans/${encodeURIComponent(plan)}`, { json: { seats } });
      setStatus(`${plan}: ${seats} seats.`);
      await usage.reload();
    } catch (caught) {
      setError(caught);
    }
  };
  const data = usage.data;
  return html`<${PageHeading}>Licenses<//>
    <${ErrorMessage} error=${usage.error} />
    <${Loading} loading=${usage.loading && !data} />
    ${data &&
    html`${data.plans.length === 0
        ? html`<p class="muted">This company has no license plan yet.</p>`
        : html`<${UsageChart} plans=${data.plans} />
          <div class="table-wrap"><table>
            <caption class="visually-hidden">Seats per plan</caption>
            <thead><tr><th scope="col">Plan</th><th scope="col">Seats</th><th scope="col">Used</th><th scope="col">Free</th></tr></thead>
            <tbody>${data.plans.map((plan) => html`<tr><th scope="row">${plan.plan}</th><td>${plan.seats}</td><td>${plan.used}</td><td>${plan.free}</td></tr>`)}</tbody>
          </table></div>`}
      <p>Active users without a license: ${data.unlicensedUsers}${data.unlicensedUsersWithoutSite > 0 ? ` (${data.unlicensedUsersWithoutSite} of them need a site first)` : ''}.</p>`}
    <${TelephonySettings} api=${api} />
    ${platform &&
    html`<section class="panel" aria-labelledby="seats-heading">
      <h2 id="seats-heading">Seats (platform operators)</h2>
      <form class="inline" onSubmit=${setSeats}>
        <div class="field"><label for="seats-plan">Plan</label><input id="seats-plan" name="plan" type="text" required maxlength="32" /></div>
        <div class="field"><label for="seats-count">Seats</label><input id="seats-count" name="seats" type="number" min="0" required /></div>
        <button type="submit">Set seats</button>
      </form>
      <${ErrorMessage} error=${error} />
      <${StatusMessage} text=${status} />
    </section>`}`;
}

/** Used and free seats per plan as stacked bars, drawn in SVG: no chart library, nothing inline to allow in the CSP. */
function UsageChart({ plans }: { plans: PlanUsage[] }) {
  const rowHeight = 36;
  const labelWidth = 90;
  const barWidth = 400;
  const height = plans.length * rowHeight + 24;
  const scale = Math.max(1, ...plans.map((plan) => Math.max(plan.seats, plan.used)));
  const description = plans.map((plan) => `${plan.plan}: ${plan.used} of ${plan.seats} seats used, ${plan.free} free`).join('; ');
  return html`<figure class="chart">
    <svg viewBox=${`0 0 ${labelWidth + barWidth + 110} ${height}`} role="img" aria-labelledby="usage-chart-title usage-chart-desc" preserveAspectRatio="xMinYMin meet">
      <title id="usage-chart-title">Seats used and free per plan</title>
      <desc id="usage-chart-desc">${description}</desc>
      ${plans.map((plan, index) => {
        const y = index * rowHeight + 4;
        const used = (plan.used / scale) * barWidth;
        const free = (Math.max(0, plan.free) / scale) * barWidth;
        return html`<g>
          <text x="0" y=${y + 20} class="chart-label">${plan.plan}</text>
          <rect x=${labelWidth} y=${y} width=${used} height="26" class="chart-used" />
          <rect x=${labelWidth + used} y=${y} width=${free} height="26" class="chart-free" />
          <text x=${labelWidth + used + free + 8} y=${y + 20} class="chart-value">${plan.used}/${plan.seats}</text>
        </g>`;
      })}
    </svg>
    <figcaption><span class="legend used"></span> Used <span class="legend free"></span> Free</figcaption>
  </figure>`;
}
