/// <reference lib="dom" />
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, query, type TenantApi } from './api';
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
/**
 * How long the page goes on following an import through failed look-ups (a service restarting, the
 * network away for a moment) before it says so: the job itself runs on whatever the page does.
 */
const FOLLOW_THROUGH_FAILURES_MS = 60_000;

/** The license import this tab follows, per company: kept in sessionStorage, so leaving the page and coming back shows it again. */
interface FollowedImport {
  jobId: string;
  fileName: string;
  dryRun: boolean;
}

const followedKey = (tenantId: string) => `identity-console.license-import.${tenantId}`;

function followedImport(tenantId: string): FollowedImport | null {
  try {
    const stored = sessionStorage.getItem(followedKey(tenantId));
    return stored ? (JSON.parse(stored) as FollowedImport) : null;
  } catch {
    return null;
  }
}

/** A failure the next look-up may not meet: the network, a service restarting or busy (an answer about the request itself is final). */
function mayPass(error: unknown): boolean {
  return !(error instanceof ApiError) || error.status === 0 || error.status === 429 || error.status >= 500;
}

export function BulkUpload({ api }: { api: TenantApi }) {
  const [report, setReport] = useState<Report | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [progress, setProgress] = useState<string | null>(null);
  /** The import whose progress and report this page shows; another upload, or leaving the page, ends the following. */
  const following = useRef<FollowedImport | null>(null);
  /** Whether the page is still shown: an upload answered after the admin left starts no following. */
  const shown = useRef(true);

  const fileOf = (event: Event) => {
    const form = event.currentTarget as HTMLFormElement;
    const data = new FormData(form);
    return { file: data.get('file') as File | null, dryRun: data.get('dryRun') === 'on' };
  };

  /** The chosen file, with the page cleared for its report (whose place an import's, if followed, gives up: the next visit shows it again); null when none was chosen. */
  const newUpload = (event: Event) => {
    event.preventDefault();
    const { file, dryRun } = fileOf(event);
    if (!file || file.size === 0) {
      setError(new Error('choose a CSV file first'));
      return null;
    }
    following.current = null;
    setProgress(null);
    setError(null);
    setReport(null);
    return { file, dryRun };
  };

  const editUsers = async (event: Event) => {
    const upload = newUpload(event);
    if (!upload) return;
    const { file, dryRun } = upload;
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
  const follow = async (followed: FollowedImport) => {
    following.current = followed;
    // Left for another page, or replaced by a newer upload: this one stops following.
    const current = () => following.current === followed;
    const jobPath = `/licenses/imports/${encodeURIComponent(followed.jobId)}`;
    let failingSince: number | null = null;
    const lookUp = async (limit: number): Promise<ImportJob | null> => {
      for (;;) {
        try {
          const job = await api.get<ImportJob>(`${jobPath}?limit=${limit}`);
          failingSince = null;
          return job;
        } catch (caught) {
          failingSince ??= Date.now();
          if (!mayPass(caught) || Date.now() - failingSince > FOLLOW_THROUGH_FAILURES_MS) throw caught;
          if (!current()) return null;
          setProgress(`Importing: the import goes on, but its progress cannot be read (${(caught as Error).message}); trying again`);
          await sleep(2_000);
          if (!current()) return null;
        }
      }
    };
    try {
      // Progress only while it runs (one result row, not a thousand, every look-up).
      let job = await lookUp(1);
      while (job && current() && (job.status === 'queued' || job.status === 'running')) {
        setProgress(`Importing: ${job.processed ?? 0} of ${job.total} rows`);
        await sleep(1_000);
        if (current()) job = await lookUp(1);
      }
      if (!job || !current()) return;
      setProgress(null);
      if (job.status === 'failed') throw new Error(`the import failed: ${job.error ?? 'unknown error'}`);
      job = await lookUp(REPORTED_ROWS);
      if (!job || !current()) return;
      // (A failed look-up of the report said it was trying again: it is done.)
      setProgress(null);
      const summary = job.summary ?? { changed: 0, wouldChange: 0, unchanged: 0, errors: 0 };
      const reported = summary.changed + summary.wouldChange + summary.unchanged + summary.errors;
      const rows = job.results ?? [];
      setReport({
        title: `${followed.fileName}: license assignments${followed.dryRun ? ' (dry run, nothing stored)' : ''}`,
        summary: `${followed.dryRun ? `${summary.wouldChange} would change` : `${summary.changed} changed`}, ${summary.unchanged} unchanged, ${summary.errors} with errors${
          rows.length < reported ? `; the first ${rows.length} of ${reported} rows are shown, errors first (the CLI's license import lists them all)` : ''
        }`,
        rows: rows.map((row) => ({ line: row.line, userName: row.userName, outcome: row.outcome, detail: `${row.action} ${row.plan}`, error: row.error })),
      });
    } catch (caught) {
      if (!current()) return;
      // A job the service no longer knows (kept for a limited time) is not followed again.
      if (caught instanceof ApiError && caught.status === 404) sessionStorage.removeItem(followedKey(api.tenantId));
      setProgress(null);
      setError(caught);
    }
  };

  // The import this tab started last, whether it is still running or done, as the admin left it.
  useEffect(() => {
    shown.current = true;
    const followed = followedImport(api.tenantId);
    if (followed) void follow(followed);
    return () => {
      shown.current = false;
      following.current = null;
    };
  }, []);

  const importLicenses = async (event: Event) => {
    const upload = newUpload(event);
    if (!upload) return;
    const { file, dryRun } = upload;
    try {
      const started = await api.send<ImportJob>('POST', `/licenses/imports${query({ dryRun })}`, { body: await file.text(), contentType: 'text/csv' });
      const followed = { jobId: started.jobId, fileName: file.name, dryRun };
      sessionStorage.setItem(followedKey(api.tenantId), JSON.stringify(followed));
      // Left meanwhile: the next visit follows it.
      if (shown.current) await follow(followed);
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
