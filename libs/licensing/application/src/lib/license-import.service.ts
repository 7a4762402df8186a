import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { LicensingQueries } from '@identity/licensing-data-access';
import { normaliseE164 } from '@identity/licensing-domain';
import { CsvFormatError, parseCsv } from '@identity/platform-csv';
import { returnedRows, tryLockSession } from '@identity/platform-event-store';
import type { Client } from 'pg';
import { isDatabaseUnavailable, ProblemError, SERVICE_CONFIG, SERVICE_INFRASTRUCTURE, type ServiceConfig, type ServiceInfrastructure } from '@identity/platform-service';
import { LicensingService, newLicenseDryRun, type LicenseDryRun } from './licensing.service';
import { newTelephonyClaims, TelephonyService, type AutomaticTelephony, type NamedTelephony, type TelephonyCheck, type TelephonyClaims, type TelephonyTaking } from './telephony.service';

export const LICENSE_IMPORT_MAX_ROWS = 50_000;
const IMPORT_BATCH = 500;
/** How often every instance looks for jobs no instance works on (their holder stopped). */
const RESUME_EVERY_MS = 5_000;
/** A company's imports queued or running at once; past it an upload is refused (409). */
export const UNFINISHED_IMPORTS_PER_COMPANY = 3;
/** Imports one instance tries or works on at once; the others wait, queued, for a later look (oldest first). */
const IMPORTS_PROCESSED_PER_INSTANCE = 2;
/** What a job that stopped on an unexpected error tells the admins (its cause is in the service's log). */
export const IMPORT_FAILED = 'the import stopped on an internal error; the rows reported were applied, the rest were not: upload the file again to finish (rows already applied are unchanged)';
/** A dry run changes nothing, so its rows need no order. */
const DRY_RUN_CONCURRENCY = 4;

interface RowResult {
  line: number;
  userName: string;
  plan: string;
  action: 'assign' | 'unassign';
  /** `updated`: the license was there already, the row changed the extension or number. */
  outcome: 'assigned' | 'swapped' | 'unassigned' | 'updated' | 'unchanged' | 'would-assign' | 'would-unassign' | 'would-update' | 'error';
  error?: string;
}

/**
 * License assignment by CSV (username, plan, action, and optionally extension and number: a value,
 * or `auto` for the next free one), run as a background job the admin polls.
 * Rows are independent and idempotent, so a job interrupted by a restart resumes from its last
 * saved row, and uploading the same file again changes nothing more.
 */
@Injectable()
export class LicenseImportService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('LicenseImport');
  /** Jobs this instance tries or works on (one lock connection each), at most IMPORTS_PROCESSED_PER_INSTANCE. */
  private running = new Set<string>();
  /** Unfinished jobs whose lock another instance held at the last try. */
  private readonly heldElsewhere = new Set<string>();
  private stopping = false;
  private resumeTimer?: NodeJS.Timeout;

  constructor(
    @Inject(SERVICE_INFRASTRUCTURE) private readonly infrastructure: ServiceInfrastructure,
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
    @Inject(LicensingQueries) private readonly queries: LicensingQueries,
    private readonly licensing: LicensingService,
    private readonly telephony: TelephonyService,
  ) {}

  async start(tenantId: string, csv: string, dryRun: boolean): Promise<{ jobId: string; status: string; total: number }> {
    let total: number;
    try {
      const table = parseCsv(csv, { maxRows: LICENSE_IMPORT_MAX_ROWS });
      const columns = table.headers.map((header) => header.toLowerCase());
      const unknown = table.headers.filter((header) => !['username', 'plan', 'action', 'extension', 'number'].includes(header.toLowerCase()));
      if (unknown.length > 0) throw new CsvFormatError(`unknown columns: ${unknown.join(', ')} (known: username, plan, action, extension, number)`);
      if (!columns.includes('username') || !columns.includes('plan')) throw new CsvFormatError('the username and plan columns are required');
      total = table.rows.length;
    } catch (error) {
      if (error instanceof CsvFormatError) throw new ProblemError({ status: 400, title: 'invalid-csv', detail: error.message });
      throw error;
    }
    const jobId = randomUUID();
    const queued = await this.infrastructure.dataSource.transaction(async (manager) => {
      // One company's submissions one at a time, so that the count below holds when it inserts.
      await manager.query(`SELECT pg_advisory_xact_lock(hashtextextended('license-import-submit:' || $1, 0))`, [tenantId]);
      const [{ unfinished }] = (await manager.query(`SELECT count(*)::int AS unfinished FROM licensing.import_jobs WHERE tenant_id = $1 AND status IN ('queued', 'running')`, [
        tenantId,
      ])) as { unfinished: number }[];
      if (unfinished >= UNFINISHED_IMPORTS_PER_COMPANY) return false;
      await manager.query(`INSERT INTO licensing.import_jobs (job_id, tenant_id, dry_run, status, total, csv) VALUES ($1, $2, $3, 'queued', $4, $5)`, [
        jobId,
        tenantId,
        dryRun,
        total,
        csv,
      ]);
      return true;
    });
    if (!queued) {
      throw new ProblemError({
        status: 409,
        title: 'imports-busy',
        detail: `the company has ${UNFINISHED_IMPORTS_PER_COMPANY} imports queued or running: upload this one when one of them has finished`,
      });
    }
    this.launch(jobId);
    return { jobId, status: 'queued', total };
  }

  /** Progress, a summary, and the results from `offset` (errors first), at most `limit` of them. */
  async status(tenantId: string, jobId: string, offset = 0, limit = 1000) {
    const [job] = await this.infrastructure.dataSource.query(
      `SELECT job_id AS "jobId", dry_run AS "dryRun", status, total, processed, error, created_at AS "createdAt", finished_at AS "finishedAt"
         FROM licensing.import_jobs WHERE tenant_id = $1 AND job_id = $2`,
      [tenantId, jobId],
    );
    if (!job) throw new ProblemError({ status: 404, title: 'Not Found', detail: 'no such import job' });
    const [summary] = await this.infrastructure.dataSource.query(
      `SELECT count(*) FILTER (WHERE outcome IN ('assigned', 'swapped', 'unassigned', 'updated'))::int AS changed,
              count(*) FILTER (WHERE outcome IN ('would-assign', 'would-unassign', 'would-update'))::int AS "wouldChange",
              count(*) FILTER (WHERE outcome = 'unchanged')::int AS unchanged,
              count(*) FILTER (WHERE outcome = 'error')::int AS errors
         FROM licensing.import_results WHERE job_id = $1`,
      [jobId],
    );
    const results = await this.infrastructure.dataSource.query(
      `SELECT line, user_name AS "userName", plan, action, outcome, error FROM licensing.import_results WHERE job_id = $1
        ORDER BY (outcome = 'error') DESC, line OFFSET $2 LIMIT $3`,
      [jobId, offset, limit],
    );
    return { ...job, summary, results: results.map((row: RowResult & { error: string | null }) => (row.error === null ? { ...row, error: undefined } : row)) };
  }

  /**
   * Jobs a stopped instance left unfinished carry on here: looked for at start and every few
   * seconds after, since in a rolling deploy the old instance stops after the new one started.
   */
  async onApplicationBootstrap(): Promise<void> {
    await this.resumeUnfinished();
    if (this.resumeTimer) return;
    this.resumeTimer = setInterval(() => {
      this.resumeUnfinished().catch((error: unknown) => this.logger.warn(`looking for unfinished imports failed: ${(error as Error).message}`));
    }, RESUME_EVERY_MS);
    this.resumeTimer.unref();
  }

  onApplicationShutdown(): void {
    this.stopping = true;
    clearInterval(this.resumeTimer);
  }

  private async resumeUnfinished(): Promise<void> {
    if (this.stopping) return;
    // Oldest first, and only as many as this instance has room for: each try opens a lock connection.
    // Jobs another instance was found working on come last, so that they do not take the room every time.
    const jobs = (await this.infrastructure.dataSource.query(
      `SELECT job_id FROM licensing.import_jobs WHERE status IN ('queued', 'running') ORDER BY created_at, job_id`,
    )) as { job_id: string }[];
    const ids = jobs.map((job) => job.job_id);
    for (const id of [...this.heldElsewhere].filter((held) => !ids.includes(held))) this.heldElsewhere.delete(id);
    for (const id of [...ids.filter((id) => !this.heldElsewhere.has(id)), ...ids.filter((id) => this.heldElsewhere.has(id))]) this.launch(id);
  }

  private launch(jobId: string): void {
    if (this.running.has(jobId) || this.running.size >= IMPORTS_PROCESSED_PER_INSTANCE) return; // left for a later look
    this.running.add(jobId);
    setImmediate(() =>
      this.process(jobId)
        .catch(async (error: unknown) => {
          // An outage stops the job where it is; it resumes from its last saved row once the database answers.
          if (isDatabaseUnavailable(error)) return this.logger.warn(`import ${jobId} paused: ${(error as Error).message}; it resumes by itself`);
          // The cause goes to the log; the company's admins see what to do, not the internals.
          this.logger.error(`import ${jobId} failed: ${(error as Error).stack ?? String(error)}`);
          await this.infrastructure.dataSource
            .query(`UPDATE licensing.import_jobs SET status = 'failed', error = $2, finished_at = now() WHERE job_id = $1`, [jobId, IMPORT_FAILED])
            .catch(() => undefined);
        })
        .finally(() => this.running.delete(jobId)),
    );
  }

  /**
   * Only one instance works on a job: the one holding the job's advisory lock, on a connection of
   * its own. Every instance that starts picks up the unfinished jobs; the others find the lock
   * taken and leave the job alone, and a crashed instance's lock ends with its connection.
   */
  private async process(jobId: string): Promise<void> {
    let lock: Client | null;
    try {
      lock = await tryLockSession(this.config.string('DATABASE_URL'), 'license-import-lock', `license-import:${jobId}`);
    } catch (error) {
      // Whoever holds the job may be working on it: only the holder marks it failed. Tried again in a few seconds.
      this.logger.warn(`import ${jobId}: no connection for its lock (${(error as Error).message}); tried again shortly`);
      return;
    }
    if (!lock) {
      this.heldElsewhere.add(jobId);
      return;
    }
    this.heldElsewhere.delete(jobId);
    try {
      await this.processHeld(jobId);
    } finally {
      await lock.end().catch(() => undefined);
    }
  }

  private async processHeld(jobId: string): Promise<void> {
    const [row] = returnedRows<{ tenant_id: string; dry_run: boolean; csv: string; processed: number; previous: string }>(
      await this.infrastructure.dataSource.query(
        `UPDATE licensing.import_jobs j SET status = 'running' FROM (SELECT status FROM licensing.import_jobs WHERE job_id = $1) AS before
          WHERE j.job_id = $1 AND j.status IN ('queued', 'running') RETURNING j.tenant_id, j.dry_run, j.csv, j.processed, before.status AS previous`,
        [jobId],
      ),
    );
    if (!row) return;
    if (row.dry_run && row.processed > 0) {
      // A dry run's promises (seats, each user's license as the rows before left it, extensions and
      // numbers) live in memory: one taken over after a restart starts again from its first row.
      await this.infrastructure.dataSource.transaction(async (manager) => {
        await manager.query(`DELETE FROM licensing.import_results WHERE job_id = $1`, [jobId]);
        await manager.query(`UPDATE licensing.import_jobs SET processed = 0 WHERE job_id = $1`, [jobId]);
      });
      row.processed = 0;
    }
    const rows = parseCsv(row.csv, { maxRows: LICENSE_IMPORT_MAX_ROWS }).rows;
    // A dry run promises each free seat once, to the first rows that would take it, and takes each
    // user's license as the rows before left it.
    const dryRun = newLicenseDryRun();
    // Extensions and numbers rows of the file name: `auto` rows leave them to those rows.
    const named = namedTelephony(rows.slice(row.processed));
    // ... and each free extension and number once, in file order.
    const claims = newTelephonyClaims(named);
    // The extensions and numbers the company gives with every license, as the job starts.
    const automatic = await this.telephony.automaticAssignment(row.tenant_id);
    // A batch of rows is applied in one transaction and its results saved with the progress.
    const correlationId = `license-import:${jobId}`;
    for (let start = row.processed; start < rows.length && !this.stopping; start += IMPORT_BATCH) {
      const slice = rows.slice(start, start + IMPORT_BATCH);
      // An instance that stopped during this batch may have assigned some of its licenses already: those are still this file's new ones.
      const maybeLicensedAlready = row.previous === 'running' && start === row.processed;
      const batch = row.dry_run
        ? await this.oneByOne(row.tenant_id, slice, DRY_RUN_CONCURRENCY, { dryRun, claims, automatic })
        : await this.applyBatch(row.tenant_id, slice, { named, automatic, correlationId, maybeLicensedAlready });
      await this.saveBatch(jobId, batch, start + slice.length);
    }
    if (!this.stopping) await this.infrastructure.dataSource.query(`UPDATE licensing.import_jobs SET status = 'finished', finished_at = now() WHERE job_id = $1`, [jobId]);
  }

  /**
   * The batch's changes in one transaction, so a 50,000-row file costs a few hundred commits, not
   * 50,000, in file order: a user's second row starts the next batch, and every row of a batch
   * whose transaction failed as a whole (a seat ran out within it, a concurrent change) is applied
   * one by one, which gives each row its own outcome.
   */
  private async applyBatch(tenantId: string, slice: CsvRow[], run: RealRun): Promise<RowResult[]> {
    const results: RowResult[] = new Array(slice.length);
    const requests = slice.map((row) => this.request(row));
    const users = await this.queries.usersNamed(
      tenantId,
      requests.flatMap((request) => ('error' in request ? [] : [request.base.userName])),
    );
    const batched: { index: number; change: Parameters<LicensingService['changeMany']>[1][number]; taking: TelephonyTaking }[] = [];
    const claimed = new Set<string>();
    // A user's second row ends the batch: the rows from it on go in the next one, so that rows apply in file order.
    let end = slice.length;
    // The batch's rows are applied together: each row's extension and number count as taken for the rows after it,
    // once the license's rules let the row through, so that a refused row holds nothing. Seats are the batch's to
    // count: one that runs out fails it as a whole, and the one-by-one path then decides each row in turn.
    const telephonyClaims = newTelephonyClaims(run.named);
    for (const [index, request] of requests.entries()) {
      if ('error' in request) {
        results[index] = request.error;
        continue;
      }
      const user = users.get(request.base.userName.toLowerCase());
      if (!user) {
        results[index] = { ...request.base, outcome: 'error', error: `no user ${request.base.userName} in this company` };
        continue;
      }
      if (claimed.has(user.userId)) {
        end = index;
        break;
      }
      claimed.add(user.userId);
      // Its results are applied in file order after the batch's licenses: the user's extension and
      // number are released before a later row of the batch takes them.
      if (request.base.action === 'unassign' && user.plan !== null && (!request.base.plan || request.base.plan === user.plan)) {
        await this.telephony.releaseForLaterRows(tenantId, user.userId, telephonyClaims);
      }
      let taking = NOTHING_TAKEN;
      if (request.base.action === 'assign') {
        const checked = await this.checkTelephony(tenantId, user.userId, slice[index].cells, run.automatic, () => this.isNewLicense(user, request.base.plan, run), telephonyClaims);
        if ('refused' in checked) {
          results[index] = { ...request.base, outcome: 'error', error: checked.refused };
          continue;
        }
        // Only a row that claims something needs its license's rules read now (two look-ups); the others are decided by the batch.
        const refusal = checked === NOTHING_CHECKED ? null : await this.licensing.assignmentRefusal(tenantId, user.userId, request.base.plan);
        if (refusal !== null) {
          checked.unclaim();
          results[index] = { ...request.base, outcome: 'error', error: refusal };
          continue;
        }
        taking = checked.taking;
      }
      batched.push({
        index,
        change: request.base.action === 'assign' ? { action: 'assign', user, plan: request.base.plan } : { action: 'unassign', user, plan: request.base.plan || undefined },
        taking,
      });
    }
    let outcomes: Awaited<ReturnType<LicensingService['changeMany']>>;
    try {
      outcomes = await this.licensing.changeMany(tenantId, batched.map((entry) => entry.change), run.correlationId);
    } catch {
      return [...(await this.oneByOne(tenantId, slice.slice(0, end), 1, run)), ...(await this.applyRest(tenantId, slice, end, run))];
    }
    for (const [position, { index, change, taking }] of batched.entries()) {
      const outcome = outcomes[position];
      const base = (requests[index] as { base: RowBase }).base;
      if (outcome instanceof ProblemError) {
        results[index] = { ...base, outcome: 'error', error: String(outcome.problem.detail) };
        continue;
      }
      results[index] = { ...base, outcome };
      if (change.action === 'unassign') {
        // The batch has committed: a failure here is this row's, never the job's (the results of the batch are saved next).
        await this.telephony.releaseAllOfUnlicensed(tenantId, change.user.userId, run.correlationId).catch((error: unknown) => {
          results[index] = { ...base, outcome: 'error', error: `the license is removed, but its extension and number are not released yet (${problemDetail(error)}): upload the row again` };
        });
        continue;
      }
      results[index] = await this.withTelephony(tenantId, change.user.userId, base, outcome, taking, run);
    }
    return [...results.slice(0, end), ...(await this.applyRest(tenantId, slice, end, run))];
  }

  private async applyRest(tenantId: string, slice: CsvRow[], from: number, run: RealRun): Promise<RowResult[]> {
    return from < slice.length ? this.applyBatch(tenantId, slice.slice(from), run) : [];
  }

  /** Rows one at a time (dry runs, and batches that could not run as one), `concurrency` at once. */
  private async oneByOne(tenantId: string, slice: CsvRow[], concurrency: number, how: Preview | RealRun): Promise<RowResult[]> {
    const preview = 'dryRun' in how ? how : undefined;
    const results: RowResult[] = new Array(slice.length);
    // Rows read concurrently; a preview decides each after the row before it, as the real run does.
    let previous: Promise<unknown> = Promise.resolve();
    let next = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < slice.length) {
          const index = next++;
          const turn = previous;
          const row = this.apply(tenantId, slice[index], preview ? { ...preview, turn } : how);
          // A row that never decides (an unknown user) still hands the turn on only after the rows before it.
          previous = Promise.all([turn, row]);
          results[index] = await row;
        }
      }),
    );
    return results;
  }

  /** Appends a batch of results and moves the job's progress, together. */
  private async saveBatch(jobId: string, batch: RowResult[], processed: number): Promise<void> {
    await this.infrastructure.dataSource.transaction(async (manager) => {
      await manager.query(
        `INSERT INTO licensing.import_results (job_id, line, user_name, plan, action, outcome, error)
         SELECT $1, * FROM unnest($2::int[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[]) ON CONFLICT DO NOTHING`,
        [
          jobId,
          batch.map((result) => result.line),
          batch.map((result) => result.userName),
          batch.map((result) => result.plan),
          batch.map((result) => result.action),
          batch.map((result) => result.outcome),
          batch.map((result) => result.error ?? null),
        ],
      );
      await manager.query(`UPDATE licensing.import_jobs SET processed = $2 WHERE job_id = $1`, [jobId, processed]);
    });
  }

  /**
   * What the row's extension and number columns would take, or why the row is refused, checked
   * before its license is assigned: a row is applied whole or not at all. A value taken between this
   * check and the assignment takes back the license the row gave (withTelephony).
   */
  private async checkTelephony(
    tenantId: string,
    userId: string,
    cells: Record<string, string>,
    automatic: AutomaticTelephony,
    newLicense: () => boolean | Promise<boolean>,
    claims = newTelephonyClaims(),
    turn: Promise<unknown> = Promise.resolve(),
  ): Promise<TelephonyCheck | { refused: string }> {
    const wanted = telephonyWanted(cells);
    const mayBeGiven = (wanted.extension === null && automatic.extension) || (wanted.number === null && automatic.number);
    if (wanted.extension === null && wanted.number === null && !mayBeGiven) return NOTHING_CHECKED;
    // After the rows before (a dry run reads rows concurrently): they claim first, as in the real run.
    await turn;
    // Where the company gives extensions or numbers with every license, a row that asks for none
    // and gives the user a license gets the automatic ones here, in file order like `auto` (the
    // reaction to the license leaves imports alone), and a row for a user who kept their license gets
    // none, as without a file; unlike `auto`, none free leaves the user without one rather than the
    // row refused.
    const given = mayBeGiven && (await newLicense());
    const optional = { extension: given && wanted.extension === null && automatic.extension, number: given && wanted.number === null && automatic.number };
    if (optional.extension) wanted.extension = undefined;
    if (optional.number) wanted.number = undefined;
    if (wanted.extension === null && wanted.number === null) return NOTHING_CHECKED;
    try {
      return await this.telephony.checkAssignable(tenantId, userId, wanted, claims, optional);
    } catch (error) {
      // Like any other failure of a row: reported on the row, and the job goes on.
      return { refused: problemDetail(error) };
    }
  }

  /**
   * Whether the row gives the user a license they did not hold: a plan other than theirs, or, in a
   * batch an earlier instance may have applied in part before it stopped, the plan this file gave them.
   */
  private async isNewLicense(user: { userId: string; plan: string | null }, plan: string, run: RealRun): Promise<boolean> {
    if (user.plan !== plan) return true;
    if (!run.maybeLicensedAlready) return false;
    const last = (await this.infrastructure.eventStore.readStream(`license-${user.userId}`)).at(-1);
    return last?.type === 'LicenseAssigned' && last.metadata.correlationId === run.correlationId;
  }

  /**
   * The row's extension and number as checked, once the user holds the license they need. When
   * they cannot be had (another admin took one since the check), a license this row gave is taken
   * back, so that the row is refused whole rather than half applied. A license this job gave before
   * it stopped mid-batch counts as this row's, as the first try would have reported it.
   */
  private async withTelephony(tenantId: string, userId: string, base: RowBase, licensed: RowResult['outcome'], taking: TelephonyTaking, run: RealRun): Promise<RowResult> {
    const { correlationId } = run;
    const outcome = licensed === 'unchanged' && (await this.isNewLicense({ userId, plan: base.plan }, base.plan, run)) ? 'assigned' : licensed;
    try {
      const changed = await this.telephony.take(tenantId, userId, taking, correlationId);
      return { ...base, outcome: outcome === 'unchanged' && changed ? 'updated' : outcome };
    } catch (error) {
      // The database away or timing out: the batch is not saved, and the job resumes from it once the database answers, giving the licenses it gave their extension and number then.
      if (isDatabaseUnavailable(error)) throw error;
      if (!(error instanceof ProblemError && error.problem.status < 500)) return { ...base, outcome: 'error', error: problemDetail(error) };
      if (outcome !== 'assigned') return { ...base, outcome: 'error', error: `the license is kept, but ${problemDetail(error)}` };
      try {
        await this.licensing.unassign(tenantId, userId, correlationId, base.plan, true);
      } catch (undo) {
        return { ...base, outcome: 'error', error: `the license is assigned, but ${problemDetail(error)} (${problemDetail(undo)})` };
      }
      const released = await this.telephony.releaseAllOfUnlicensed(tenantId, userId, correlationId).then(
        () => '',
        (undo: unknown) => ` (its extension and number are not released yet: ${problemDetail(undo)}; upload the row again)`,
      );
      return { ...base, outcome: 'error', error: `${problemDetail(error)}; the row’s license was not kept${released}` };
    }
  }

  /** A row's request, or the result that refuses it before any lookup. */
  private request(row: CsvRow): { base: RowBase } | { error: RowResult } {
    const userName = row.cells.username ?? '';
    const plan = row.cells.plan ?? '';
    const action = (row.cells.action || 'assign').toLowerCase();
    const base = { line: row.line, userName, plan, action: action as RowResult['action'] };
    const refusal =
      action !== 'assign' && action !== 'unassign'
        ? `action is assign or unassign, not "${action}"`
        : !userName
          ? 'username is empty'
          : action === 'assign' && !plan
            ? 'plan is empty'
            : null;
    return refusal === null ? { base } : { error: { ...base, outcome: 'error', error: refusal } };
  }

  /** One row, stored, or only previewed when a preview is given. */
  private async apply(tenantId: string, row: CsvRow, how: Preview | RealRun): Promise<RowResult> {
    const preview = 'dryRun' in how ? how : undefined;
    const request = this.request(row);
    if ('error' in request) return request.error;
    const { base } = request;
    const { userName, plan, action } = base;
    try {
      const user = await this.queries.userNamed(tenantId, userName);
      if (!user) throw new Error(`no user ${userName} in this company`);
      if (action === 'unassign') {
        if (preview) {
          const outcome = await this.licensing.previewChange(tenantId, user.userId, { action: 'unassign', plan: plan || undefined }, preview.dryRun, preview.turn);
          if (outcome === 'unchanged') return { ...base, outcome: 'unchanged' };
          await this.telephony.releaseForLaterRows(tenantId, user.userId, preview.claims);
          return { ...base, outcome: 'would-unassign' };
        }
        const { correlationId } = how as RealRun;
        const outcome = await this.licensing.unassign(tenantId, user.userId, correlationId, plan || undefined);
        await this.telephony.releaseAllOfUnlicensed(tenantId, user.userId, correlationId);
        return { ...base, outcome };
      }
      // The user's license as the rows before leave it (in a dry run, as they would).
      const newLicense = () => {
        if (!preview) return this.isNewLicense(user, plan, how as RealRun);
        const previewed = preview.dryRun.licenses.get(user.userId);
        return (previewed ? previewed.plan : user.plan) !== plan;
      };
      const checked = await this.checkTelephony(tenantId, user.userId, row.cells, how.automatic, newLicense, preview ? preview.claims : newTelephonyClaims((how as RealRun).named), preview?.turn);
      if ('refused' in checked) return { ...base, outcome: 'error', error: checked.refused };
      const telephonyChanges = checked.taking.extension !== null || checked.taking.number !== null;
      // A row whose license is refused holds no extension or number for the rows after it.
      const orGiveBack = <T>(decided: Promise<T>) =>
        decided.catch((error: unknown) => {
          checked.unclaim();
          throw error;
        });
      if (preview) {
        const outcome = await orGiveBack(this.licensing.previewChange(tenantId, user.userId, { action: 'assign', plan }, preview.dryRun, preview.turn));
        return { ...base, outcome: outcome !== 'unchanged' ? 'would-assign' : telephonyChanges ? 'would-update' : 'unchanged' };
      }
      const run = how as RealRun;
      const outcome = await orGiveBack(this.licensing.assign(tenantId, user.userId, plan, false, run.correlationId, 'import'));
      return await this.withTelephony(tenantId, user.userId, base, outcome, checked.taking, run);
    } catch (error) {
      // As in applyBatch: the database away pauses the job, which resumes from the batch.
      if (isDatabaseUnavailable(error)) throw error;
      return { ...base, outcome: 'error', error: problemDetail(error) };
    }
  }
}

type CsvRow = { line: number; cells: Record<string, string> };

/** What the real run carries: the extensions and numbers the file's rows name, and what its writes are correlated by. */
interface RealRun {
  named: NamedTelephony;
  automatic: AutomaticTelephony;
  /** `license-import:<job>`: the job's events say which file made them. */
  correlationId: string;
  /** The batch an instance that stopped was working on: licenses this file gave count as new. */
  maybeLicensedAlready: boolean;
}

/** What a dry run carries from row to row: its seats and licenses, its telephony claims, and whose turn it is to decide. */
interface Preview {
  dryRun: LicenseDryRun;
  claims: TelephonyClaims;
  automatic: AutomaticTelephony;
  turn?: Promise<unknown>;
}
type RowBase = Pick<RowResult, 'line' | 'userName' | 'plan' | 'action'>;

const NOTHING_TAKEN: TelephonyTaking = { extension: null, number: null };
const NOTHING_CHECKED: TelephonyCheck = { taking: NOTHING_TAKEN, unclaim: () => undefined };

/** The extensions and numbers the rows name (not `auto`), numbers as E.164. */
function namedTelephony(rows: CsvRow[]): NamedTelephony {
  const named: NamedTelephony = { extensions: new Set(), numbers: new Set() };
  for (const row of rows) {
    const { extension, number } = telephonyWanted(row.cells);
    if (extension) named.extensions.add(extension);
    if (number) {
      try {
        named.numbers.add(normaliseE164(number));
      } catch {
        // Not a number: its row is refused for it.
      }
    }
  }
  return named;
}

/** A cell's extension or number: a value, `undefined` for `auto` (the user's own or the next free one), null when empty. */
function telephonyWanted(cells: Record<string, string>): { extension: string | null | undefined; number: string | null | undefined } {
  const wanted = (value: string | undefined) => (value === undefined || value.trim() === '' ? null : value.trim().toLowerCase() === 'auto' ? undefined : value.trim());
  return { extension: wanted(cells.extension), number: wanted(cells.number) };
}

const problemDetail = (error: unknown): string => (error instanceof ProblemError ? String(error.problem.detail) : (error as Error).message);
