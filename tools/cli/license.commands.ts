import { readFileSync } from 'node:fs';
import { baseUrl, callApi, CliError, output, platformToken, requiredFlag, switchFlag, type Invocation } from './cli-runtime';

const licenses = (invocation: Invocation) => `/api/v1/tenants/${encodeURIComponent(requiredFlag(invocation, 'tenant'))}/licenses`;

type Usage = { plans: { plan: string; seats: number; used: number; free: number }[]; unlicensedUsers: number; unlicensedUsersWithoutSite: number };

const usageText = (usage: Usage) =>
  [
    ...usage.plans.map((plan) => `${plan.plan.padEnd(8)} ${String(plan.used).padStart(6)} used of ${String(plan.seats).padStart(6)}  (${plan.free} free)`),
    `unlicensed users: ${usage.unlicensedUsers} (${usage.unlicensedUsersWithoutSite} without a site)`,
  ].join('\n');

/** A username or a user id to the id licensing knows. */
export async function userId(invocation: Invocation): Promise<string> {
  const user = requiredFlag(invocation, 'user');
  if (/^[0-9a-f-]{36}$/i.test(user)) return user;
  for (let offset = 0; ; offset += 500) {
    const page = await callApi<{ items: { userId: string; userName: string }[]; total: number }>('GET', `${licenses(invocation)}/users?limit=500&offset=${offset}`);
    const found = page.items.find((item) => item.userName.toLowerCase() === user.toLowerCase());
    if (found) return found.userId;
    if (offset + 500 >= page.total) throw new CliError(`no user ${user} in this company`);
  }
}

/** Row results per request: the most the import status answers at once. */
const RESULTS_PAGE = 1000;
/** Polls of a running import that may go unanswered in a row (one a second) before the command gives up; the job goes on. */
const POLL_RETRIES = 30;

export const licenseCommands = {
  async usage(invocation: Invocation): Promise<void> {
    const usage = await callApi<Usage>('GET', licenses(invocation));
    output(invocation, usage, () => usageText(usage));
  },

  async plan(invocation: Invocation): Promise<void> {
    if (invocation.words[2] !== 'set') throw new CliError('usage: license plan set --tenant T --plan X2 --seats N');
    const seats = Number(requiredFlag(invocation, 'seats'));
    const usage = await callApi<Usage>('PUT', `${licenses(invocation)}/plans/${encodeURIComponent(requiredFlag(invocation, 'plan'))}`, { seats });
    output(invocation, usage, () => usageText(usage));
  },

  async assign(invocation: Invocation): Promise<void> {
    const result = await callApi<{ outcome: string }>('PUT', `${licenses(invocation)}/users/${await userId(invocation)}`, {
      plan: requiredFlag(invocation, 'plan'),
      swap: switchFlag(invocation, 'swap'),
    });
    output(invocation, result, () => result.outcome);
  },

  async unassign(invocation: Invocation): Promise<void> {
    const result = await callApi<{ outcome: string }>('DELETE', `${licenses(invocation)}/users/${await userId(invocation)}`);
    output(invocation, result, () => result.outcome);
  },

  /** Uploads a CSV (username, plan[, action]) and follows the job until it finishes; every row's result, and exit code 1 when a row failed. */
  async import(invocation: Invocation): Promise<number | undefined> {
    const file = invocation.words[2];
    if (!file) throw new CliError('usage: license import --tenant T FILE.csv [--dry-run]');
    const dryRun = switchFlag(invocation, 'dry-run');
    const response = await fetch(`${baseUrl()}${licenses(invocation)}/imports?dryRun=${dryRun}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${platformToken()}`, 'content-type': 'text/csv' },
      body: readFileSync(file, 'utf8'),
    });
    const started = (await response.json()) as { jobId?: string; detail?: string };
    if (!response.ok || !started.jobId) throw new CliError(`import refused: ${response.status} ${started.detail ?? ''}`);
    type Job = { status: string; processed: number; total: number; summary: Record<string, number>; results: unknown[]; error?: string };
    const jobPath = `${licenses(invocation)}/imports/${started.jobId}`;
    for (let unanswered = 0; ; ) {
      // Progress only (one result row) while it runs; the job goes on whatever happens to this command,
      // so a moment without an answer (a restart, an outage) is waited out for a while.
      let progress: Job;
      try {
        progress = await callApi<Job>('GET', `${jobPath}?limit=1`);
        unanswered = 0;
      } catch (error) {
        if (++unanswered > POLL_RETRIES) throw error;
        await new Promise((resolve) => setTimeout(resolve, 1_000));
        continue;
      }
      if (!invocation.json) process.stderr.write(`\rimport ${progress.status}: ${progress.processed} of ${progress.total} rows`);
      if (progress.status === 'finished' || progress.status === 'failed') {
        if (!invocation.json) process.stderr.write('\n');
        if (progress.status === 'failed') throw new CliError(`import failed: ${progress.error}`, progress);
        // The job answers its results a page at a time (errors first).
        const job = await callApi<Job>('GET', `${jobPath}?limit=${RESULTS_PAGE}`);
        for (let page = job.results; page.length === RESULTS_PAGE && job.results.length < job.total; ) {
          page = (await callApi<{ results: unknown[] }>('GET', `${jobPath}?offset=${job.results.length}&limit=${RESULTS_PAGE}`)).results;
          job.results.push(...page);
        }
        output(invocation, job, () =>
          [`${dryRun ? 'dry run: ' : ''}${JSON.stringify(job.summary)}`, ...(job.results as { line: number; outcome: string; error?: string }[])
            .filter((row) => row.outcome === 'error')
            .map((row) => `line ${row.line}: ${row.error}`)].join('\n'),
        );
        return job.summary.errors > 0 ? 1 : undefined;
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  },
};
