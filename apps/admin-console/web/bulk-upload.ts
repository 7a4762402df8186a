/// <reference lib="dom" />
import { useState } from 'preact/hooks';
import { query, type TenantApi } from './api';
import { html } from './html';
import { ErrorMessage, PageHeading, StatusMessage } from './ui';

interface RowReport {
  line: number;
  userName: string;
  outcome: string;
  detail: string;
  error?: string;
}

interface Report {
  title: string;
  summary: string;
  rows: RowReport[];
}

interface EditResult {
  dryRun: boolean;
  summary: { updated: number; wouldUpdate: number; unchanged: number; errors: number };
  results: { line: number; userName: string; outcome: string; changes: string[]; error?: string }[];
}

interface ImportJob {
  jobId: string;
  status: 'queued' | 'running' | 'finished' | 'failed';
  total: number;
  processed: number;
  error: string | null;
  summary?: { changed: number; wouldChange: number; unchanged: number; errors: number };
  results?: { line: number; userName: string; plan: string; action: string; outcome: string; error?: string }[];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** The import report shows this many rows (the API's page limit), errors first. */
const REPORTED_ROWS = 1000;

export function BulkUpload({ api }: { api: TenantApi }) {
  const [report, setReport] = useState<Report | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [progress, setProgress] = useState<string | null>(null);

  const fileOf = (event: Event) => {
    const form = event.currentTarget as HTMLFormElement;
    const data = new FormData(form);
    return { file: data.get('file') as File | null, dryRun: data.get('dryRun') === 'on' };
  };

  const editUsers = async (event: Event) => {
    event.preventDefault();
    const { file, dryRun } = fileOf(event);
    if (!file || file.size === 0) return setError(new Error('choose a CSV file first'));
    setError(null);
    setReport(null);
    try {
      const result = await api.send<EditResult>('POST', `/users/bulk${query({ dryRun })}`, { body: await file.text(), contentType: 'text/csv' });
      const { summary } = result;
      setReport({
        title: `${file.name}: user edits${result.dryRun ? ' (dry run, nothing stored)' : ''}`,
        summary: `${result.dryRun ? `${summary.wouldUpdate} would be updated` : `${summary.updated} updated`}, ${summary.unchanged} unchanged, ${summary.errors} with errors`,
        rows: result.results.map((row) => ({ line: row.line, userName: row.userName, outcome: row.outcome, detail: row.changes.join(', '), error: row.error })),
      });
    } catch (caught) {
      setError(caught);
    }
  };

  // Imports run as a job (50,000 rows take a while); the page follows it until it is done, then shows at most REPORTED_ROWS rows.
  const importLicenses = async (event: Event) => {
    event.preventDefault();
    const { file, dryRun } = fileOf(event);
    if (!file || file.size === 0) return setError(new Error('choose a CSV file first'));
    setError(null);
    setReport(null);
    try {
      const started = await api.send<ImportJob>('POST', `/licenses/imports${query({ dryRun })}`, { body: await file.text(), contentType: 'text/csv' });
      const jobPath = `/licenses/imports/${encodeURIComponent(started.jobId)}`;
      let job = started;
      // Progress only while it runs (one result row, not a thousand, every poll).
      while (job.status === 'queued' || job.status === 'running') {
        setProgress(`Importing: ${job.processed ?? 0} of ${job.total} rows`);
        await sleep(1_000);
        job = await api.get<ImportJob>(`${jobPath}?limit=1`);
      }
      setProgress(null);
      if (job.status === 'failed') throw new Error(`the import failed: ${job.error ?? 'unknown error'}`);
      job = await api.get<ImportJob>(`${jobPath}?limit=${REPORTED_ROWS}`);
      const summary = job.summary ?? { changed: 0, wouldChange: 0, unchanged: 0, errors: 0 };
      const reported = summary.changed + summary.wouldChange + summary.unchanged + summary.errors;
      const rows = job.results ?? [];
      setReport({
        title: `${file.name}: license assignments${dryRun ? ' (dry run, nothing stored)' : ''}`,
        summary: `${dryRun ? `${summary.wouldChange} would change` : `${summary.changed} changed`}, ${summary.unchanged} unchanged, ${summary.errors} with errors${
          rows.length < reported ? `; the first ${rows.length} of ${reported} rows are shown, errors first (the CLI's license import lists them all)` : ''
        }`,
        rows: rows.map((row) => ({ line: row.line, userName: row.userName, outcome: row.outcome, detail: `${row.action} ${row.plan}`, error: row.error })),
      });
    } catch (caught) {
      setProgress(null);
      setError(caught);
    }
  };

  return html`<${PageHeading}>Bulk upload<//>
    <div class="columns">
      <section class="panel" aria-labelledby="bulk-users-heading">
        <h2 id="bulk-users-heading">Edit users</h2>
        <p class="hint">Columns: <code>userName</code> and any of site, title, department, mobilePhone, workPhone, locale, timezone, visibleInDirectory, active (and the names and email of users admins manage).</p>
        <form onSubmit=${editUsers}>
          <div class="field"><label for="bulk-users-file">CSV file of user edits</label><input id="bulk-users-file" name="file" type="file" accept=".csv,text/csv" /></div>
          <div class="field checkbox"><input id="bulk-users-dry" name="dryRun" type="checkbox" /><label for="bulk-users-dry">Dry run: report only, store nothing</label></div>
          <button type="submit">Upload user edits</button>
        </form>
      </section>
      <section class="panel" aria-labelledby="bulk-licenses-heading">
        <h2 id="bulk-licenses-heading">Assign licenses</h2>
        <p class="hint">Columns: <code>username</code>, <code>plan</code> and optionally <code>action</code> (assign or unassign), <code>extension</code> and <code>number</code> (a value, or <code>auto</code> for the next free one).</p>
        <form onSubmit=${importLicenses}>
          <div class="field"><label for="bulk-licenses-file">CSV file of license assignments</label><input id="bulk-licenses-file" name="file" type="file" accept=".csv,text/csv" /></div>
          <div class="field checkbox"><input id="bulk-licenses-dry" name="dryRun" type="checkbox" /><label for="bulk-licenses-dry">Dry run: report only, store nothing</label></div>
          <button type="submit">Upload license assignments</button>
        </form>
      </section>
    </div>
    <${StatusMessage} text=${progress} />
    <${ErrorMessage} error=${error} />
    ${report && html`<${ReportTable} report=${report} />`}`;
}

function ReportTable({ report }: { report: Report }) {
  const failed = report.rows.filter((row) => row.outcome === 'error');
  return html`<section class="panel" aria-labelledby="report-heading">
    <h2 id="report-heading">Report</h2>
    <p>${report.title}</p>
    <p role="status" class=${failed.length > 0 ? 'badge warn' : 'badge on'}>${report.summary}</p>
    <div class="table-wrap"><table>
      <caption class="visually-hidden">Result of each row</caption>
      <thead><tr><th scope="col">Line</th><th scope="col">User</th><th scope="col">Outcome</th><th scope="col">Details</th></tr></thead>
      <tbody>
        ${report.rows.map(
          (row) => html`<tr class=${row.outcome === 'error' ? 'failed' : ''}>
            <td>${row.line}</td><td>${row.userName}</td><td>${row.outcome}</td><td>${row.error ?? row.detail}</td>
          </tr>`,
        )}
      </tbody>
    </table></div>
  </section>`;
}
