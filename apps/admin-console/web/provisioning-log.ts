/// <reference lib="dom" />
import { useState } from 'preact/hooks';
import { query, type TenantApi } from './api';
import { html } from './html';
import { ErrorMessage, Loading, PageHeading, formatTime, useLoad } from './ui';

export interface LogEntry {
  entryId: string;
  at: string;
  method: string;
  operation: string;
  resourceId: string | null;
  userName: string | null;
  status: number;
  outcome: 'success' | 'failure';
  errorType: string | null;
  errorDetail: string | null;
  durationMs: number;
  correlationId: string;
}

const PAGE_SIZE = 50;

/** `datetime-local` gives local time without a zone; the API wants an instant. */
const toInstant = (local: string) => (local ? new Date(local).toISOString() : undefined);

export function ProvisioningLog({ api }: { api: TenantApi }) {
  const [filters, setFilters] = useState({ outcome: '', from: '', to: '', sort: 'failures-first' });
  const [offset, setOffset] = useState(0);
  const log = useLoad(
    () => api.get<{ items: LogEntry[]; total: number }>(`/provisioning/logs${query({ outcome: filters.outcome, from: toInstant(filters.from), to: toInstant(filters.to), sort: filters.sort, offset, limit: PAGE_SIZE })}`),
    [api, filters, offset],
  );
  const apply = (event: Event) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    const value = (name: string) => String(form.get(name) ?? '');
    setFilters({ outcome: value('outcome'), from: value('from'), to: value('to'), sort: form.get('failuresFirst') === 'on' ? 'failures-first' : 'time' });
    setOffset(0);
  };
  return html`<${PageHeading}>Provisioning log<//>
    <form class="filters" aria-label="Filter the provisioning log" onSubmit=${apply}>
      <div class="field">
        <label for="log-outcome">Outcome</label>
        <select id="log-outcome" name="outcome">
          <option value="">Any</option><option value="success">Succeeded</option><option value="failure">Failed</option>
        </select>
      </div>
      <div class="field"><label for="log-from">From</label><input id="log-from" name="from" type="datetime-local" /></div>
      <div class="field"><label for="log-to">To</label><input id="log-to" name="to" type="datetime-local" /></div>
      <div class="field checkbox"><input id="log-failures-first" name="failuresFirst" type="checkbox" defaultChecked=${filters.sort === 'failures-first'} /><label for="log-failures-first">Failures first</label></div>
      <button type="submit">Apply</button>
    </form>
    <${ErrorMessage} error=${log.error} />
    <${Loading} loading=${log.loading && !log.data} />
    ${log.data &&
    html`<p role="status" aria-live="polite">${log.data.total === 0 ? 'No entries match.' : `${log.data.total} entries`}</p>
      ${log.data.items.length > 0 && html`<${LogTable} entries=${log.data.items} caption="Provisioning requests" />`}
      <nav class="pager" aria-label="Pages of the log">
        <button type="button" class="secondary" disabled=${offset === 0} onClick=${() => setOffset(Math.max(0, offset - PAGE_SIZE))}>Previous</button>
        <button type="button" class="secondary" disabled=${offset + PAGE_SIZE >= log.data.total} onClick=${() => setOffset(offset + PAGE_SIZE)}>Next</button>
      </nav>`}`;
}

export function LogTable({ entries, caption }: { entries: LogEntry[]; caption: string }) {
  return html`<div class="table-wrap"><table>
    <caption class="visually-hidden">${caption}</caption>
    <thead><tr><th scope="col">Time</th><th scope="col">Operation</th><th scope="col">User</th><th scope="col">Outcome</th><th scope="col">Details</th></tr></thead>
    <tbody>
      ${entries.map(
        (entry) => html`<tr class=${entry.outcome === 'failure' ? 'failed' : ''}>
          <td>${formatTime(entry.at)}</td>
          <td>${entry.operation}</td>
          <td>${entry.userName ?? '—'}</td>
          <td>${entry.outcome === 'failure' ? html`<span class="badge warn">Failed (${entry.status})</span>` : html`<span class="badge on">${entry.status}</span>`}</td>
          <td>${entry.errorDetail ?? ''}${entry.errorType ? html` <span class="muted">${entry.errorType}</span>` : ''} <span class="muted mono" title="Reference">${entry.correlationId.slice(0, 8)}</span></td>
        </tr>`,
      )}
    </tbody>
  </table></div>`;
}
