import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { TOPICS } from '@identity/contracts';
import { freeSeatOfDeletedUser, IMPORT_FAILED, LicenseImportService, UNFINISHED_IMPORTS_PER_COMPANY } from '@identity/licensing-application';
import { eventually, TEST_PLATFORM_TOKEN } from '@identity/platform-testing';
import { azure } from '../support/azure-ad.requests';
import { ENTERPRISE, IdentityStack, PATCH_OP, scimClient, SITE_8X8, type ScimTenant } from '../support/identity-stack';

type Usage = { plans: { plan: string; seats: number; used: number; free: number }[]; unlicensedUsers: number };

describe('Licensing (two instances, real PostgreSQL and Kafka)', () => {
  const stack = new IdentityStack();
  let tenant: ScimTenant;
  let scim: ReturnType<typeof scimClient>;
  let base: (instance?: number) => string;
  const api = <T = Record<string, unknown>>(method: string, path: string, body?: unknown, token = tenant.adminToken, instance = 0) =>
    stack.admin<T>(base(instance), method, `/api/v1/tenants/${tenant.tenantId}/licenses${path}`, token, body);
  const setSeats = (plan: string, seats: number) => api<Usage>('PUT', `/plans/${plan}`, { seats }, TEST_PLATFORM_TOKEN);

  beforeAll(async () => {
    await stack.start({}, { licensingInstances: 2 });
    base = (instance = 0) => `http://127.0.0.1:${stack.licensing[instance].port}`;
    tenant = await stack.tenant({ sites: ['London', 'Paris'] });
    scim = scimClient(tenant);
    await eventually(async () => expect((await api('GET', '')).status).toBe(200));
  });

  afterAll(() => stack.stop());

  type ImportResult = { line: number; outcome: string; error?: string };
  const byLine = (results: ImportResult[]) => [...results].sort((a, b) => a.line - b.line);
  /** Uploads a license CSV to the second instance and waits for the job to finish. */
  const importCsv = async (csv: string, dryRun: boolean) => {
    const response = await fetch(`${base(1)}/api/v1/tenants/${tenant.tenantId}/licenses/imports?dryRun=${dryRun}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tenant.adminToken}`, 'content-type': 'text/csv' },
      body: csv,
    });
    expect(response.status).toBe(202);
    const { jobId } = (await response.json()) as { jobId: string };
    return eventually(async () => {
      const job = await api<{ status: string; processed: number; total: number; summary: Record<string, number>; results: ImportResult[] }>('GET', `/imports/${jobId}`);
      expect(job.body.status).toBe('finished');
      return { ...job.body, jobId };
    });
  };

  /** Provisions over SCIM and waits until licensing knows the user. */
  const provision = async (options: { site?: string | null; department?: string } = {}) => {
    const body = azure.createUser(`lic.${randomUUID().slice(0, 8)}@contoso.com`, options.site ?? 'London');
    if (options.site === null) delete (body as Record<string, unknown>)[SITE_8X8];
    if (options.department) body[ENTERPRISE] = { department: options.department };
    const created = await scim<{ id: string }>('POST', '/Users', body);
    // Licensing learns of the user and of its site from two events: wait for both.
    await eventually(async () => {
      const users = await api<{ items: { userId: string; hasSite: boolean }[] }>('GET', '/users?limit=500');
      expect(users.body.items.find((user) => user.userId === created.body.id)).toMatchObject({ hasSite: options.site !== null });
    });
    return { userId: created.body.id, userName: body.userName };
  };

  it('lets only operators set seats, and never below the seats in use', async () => {
    expect((await api('PUT', '/plans/X2', { seats: 5 })).status).toBe(403);
    expect((await setSeats('X2', 1)).body.plans).toEqual([{ plan: 'X2', seats: 1, used: 0, free: 1 }]);
    const user = await provision();
    expect((await api('PUT', `/users/${user.userId}`, { plan: 'X2' })).body).toMatchObject({ outcome: 'assigned' });
    const lower = await setSeats('X2', 0);
    expect(lower.status).toBe(409);
    expect(lower.body).toMatchObject({ title: 'seats-in-use' });
    expect((await api('DELETE', `/users/${user.userId}`)).body).toMatchObject({ outcome: 'unassigned' });
    expect((await setSeats('X2', 0)).status).toBe(200);
  });

  it('licenses only users with a site, keeps the seat through deactivation, and frees it on delete', async () => {
    await setSeats('X4', 3);
    const noSite = await provision({ site: null });
    const refused = await api('PUT', `/users/${noSite.userId}`, { plan: 'X4' });
    expect(refused).toMatchObject({ status: 409, body: { title: 'site-missing' } });
    expect(String(refused.body.detail)).toContain('site');

    const user = await provision();
    expect((await api('PUT', `/users/${user.userId}`, { plan: 'X4' })).status).toBe(200);
    expect((await api('PUT', `/users/${user.userId}`, { plan: 'X4' })).body).toMatchObject({ outcome: 'unchanged' });
    expect((await api('PUT', `/users/${user.userId}`, { plan: 'X2' })).body).toMatchObject({ title: 'already-licensed' });
    await scim('PATCH', `/Users/${user.userId}`, azure.disableDefault);
    await scim('PATCH', `/Users/${user.userId}`, azure.enableDefault);
    const usage = (await api<Usage>('GET', '')).body.plans.find((plan) => plan.plan === 'X4');
    expect(usage).toMatchObject({ used: 1 });
    // An admin deletes the user: the seat comes back by itself.
    await stack.admin(stack.directoryUrl, 'DELETE', `/api/v1/tenants/${tenant.tenantId}/users/${user.userId}`, tenant.adminToken);
    await eventually(async () => expect((await api<Usage>('GET', '')).body.plans.find((plan) => plan.plan === 'X4')).toMatchObject({ used: 0 }));
    await eventually(async () => {
      const directoryUser = await stack.admin(stack.directoryUrl, 'GET', `/api/v1/tenants/${tenant.tenantId}/users/${noSite.userId}`, tenant.adminToken);
      expect(directoryUser.body).toMatchObject({ license: null });
    });
  });

  it('gives no license to a user whose deletion is arriving, and takes back one given just before it arrived', async () => {
    await setSeats('X2', 5);
    const db = new Client({ connectionString: stack.databaseUrl });
    await db.connect();
    const played: { userId: string; version: number }[] = [];
    const versionOf = async (userId: string) => ((await db.query(`SELECT version FROM licensing.users WHERE user_id = $1`, [userId])).rows as { version: number }[])[0].version;
    try {
      // The users read model applying a deletion: its transaction has not ended when the admin assigns.
      const leaving = await provision();
      played.push({ userId: leaving.userId, version: await versionOf(leaving.userId) });
      await db.query('BEGIN');
      await db.query(`UPDATE licensing.users SET status = 'deleted' WHERE user_id = $1`, [leaving.userId]);
      const assignment = api('PUT', `/users/${leaving.userId}`, { plan: 'X2' });
      const answeredBeforeTheDeletionLanded = await Promise.race([assignment.then(() => true), new Promise((resolve) => setTimeout(() => resolve(false), 500))]);
      await db.query('COMMIT');
      expect(answeredBeforeTheDeletionLanded).toBe(false);
      expect(await assignment).toMatchObject({ status: 409, body: { title: 'user-deleted' } });

      // The deletion reaches the seat reaction before the users read model, and the admin assigns in between.
      const late = await provision();
      const version = await versionOf(late.userId);
      played.push({ userId: late.userId, version });
      const deletion = {
        eventId: randomUUID(),
        eventType: 'UserDeleted',
        schemaVersion: 1,
        tenantId: tenant.tenantId,
        aggregateId: late.userId,
        aggregateVersion: version + 1,
        occurredAt: new Date().toISOString(),
        causationId: 'test',
        correlationId: 'test',
        data: { userId: late.userId },
      };
      const freeing = freeSeatOfDeletedUser.handle(deletion, stack.licensing[0].infrastructure);
      expect((await api('PUT', `/users/${late.userId}`, { plan: 'X2' })).body).toMatchObject({ outcome: 'assigned' });
      await db.query(`UPDATE licensing.users SET status = 'deleted', version = $2 WHERE user_id = $1`, [late.userId, version + 1]);
      await freeing;
      expect((await db.query(`SELECT plan FROM licensing.user_licenses WHERE user_id = $1`, [late.userId])).rows).toEqual([]);
    } finally {
      // Back to what the stored events say: this test played the read model's part only.
      for (const user of played) await db.query(`UPDATE licensing.users SET status = 'active', version = $2 WHERE user_id = $1`, [user.userId, user.version]);
      await db.end();
    }
  });

  it('never oversells: 100 concurrent assignments on two instances for 10 free seats give exactly 10', async () => {
    await setSeats('X8', 10);
    const users = await Promise.all(Array.from({ length: 100 }, () => scim<{ id: string }>('POST', '/Users', azure.createUser(`race.${randomUUID()}@contoso.com`))));
    const ids = users.map((user) => user.body.id);
    await eventually(
      async () => {
        const known = await api<{ items: { userId: string; hasSite: boolean }[] }>('GET', '/users?licensed=false&limit=500');
        const ready = new Set(known.body.items.filter((user) => user.hasSite).map((user) => user.userId));
        expect(ids.filter((id) => !ready.has(id))).toEqual([]);
      },
      { timeoutMs: 60_000 },
    );
    const responses = await Promise.all(ids.map((id, index) => api('PUT', `/users/${id}`, { plan: 'X8' }, tenant.adminToken, index % 2)));
    expect(responses.filter((response) => response.status === 200)).toHaveLength(10);
    expect(responses.filter((response) => response.status === 409 && response.body.title === 'no-seats-left')).toHaveLength(90);
    expect((await api<Usage>('GET', '')).body.plans.find((plan) => plan.plan === 'X8')).toEqual({ plan: 'X8', seats: 10, used: 10, free: 0 });
  });

  it('imports a CSV as a job: dry run, real run with good and bad rows, and an idempotent re-upload', async () => {
    await setSeats('X6', 2);
    const [a, b] = [await provision(), await provision()];
    const noSite = await provision({ site: null });
    const csv = ['username,plan,action', `${a.userName},X6,assign`, `${b.userName.toUpperCase()},X6,`, `${noSite.userName},X6,assign`, `ghost@contoso.com,X6,assign`, `${a.userName},X6,explode`].join('\n');
    const run = (dryRun: boolean) => importCsv(csv, dryRun);
    const started = await stack.admin<{ jobId: string }>(base(1), 'POST', `/api/v1/tenants/${tenant.tenantId}/licenses/imports`, tenant.adminToken);
    expect(started.status).toBe(400); // no body
    const dry = await run(true);
    // Results list the errors first; by line they read:
    expect(dry.results[0].outcome).toBe('error');
    expect(byLine(dry.results).map((row) => [row.line, row.outcome])).toEqual([
      [2, 'would-assign'],
      [3, 'would-assign'],
      [4, 'error'],
      [5, 'error'],
      [6, 'error'],
    ]);
    expect(byLine(dry.results)[2].error).toContain('site');
    expect((await api<Usage>('GET', '')).body.plans.find((plan) => plan.plan === 'X6')).toMatchObject({ used: 0 });
    const real = await run(false);
    expect(real.summary).toEqual({ changed: 2, wouldChange: 0, unchanged: 0, errors: 3 });
    expect((await api<Usage>('GET', '')).body.plans.find((plan) => plan.plan === 'X6')).toMatchObject({ used: 2, free: 0 });
    const again = await run(false);
    expect(again.summary).toEqual({ changed: 0, wouldChange: 0, unchanged: 2, errors: 3 });
    // The results page like every list: errors first, then by line.
    const page = await api<{ results: ImportResult[] }>('GET', `/imports/${again.jobId}?offset=2&limit=2`);
    expect(page.body.results.map((row) => [row.line, row.outcome])).toEqual([
      [6, 'error'],
      [2, 'unchanged'],
    ]);
    expect((await api('GET', `/imports/${again.jobId}?limit=5000`)).status).toBe(400);
  });

  it('takes away only the plan an unassign row names, in the dry run and the real run alike', async () => {
    await setSeats('X7', 2);
    const holder = await provision();
    expect((await api('PUT', `/users/${holder.userId}`, { plan: 'X7' })).status).toBe(200);
    const planOf = async () => (await api<{ items: { userId: string; plan: string | null }[] }>('GET', '/users?limit=500')).body.items.find((user) => user.userId === holder.userId)?.plan;
    for (const dryRun of [true, false]) {
      const job = await importCsv(['username,plan,action', `${holder.userName},X9,unassign`].join('\n'), dryRun);
      expect({ dryRun, results: job.results }).toEqual({ dryRun, results: [expect.objectContaining({ line: 2, outcome: 'error', error: expect.stringContaining('holds X7, not X9') })] });
    }
    expect(await planOf()).toBe('X7');
    const named = await importCsv(['username,plan,action', `${holder.userName},X7,unassign`].join('\n'), false);
    expect(named.results).toEqual([expect.objectContaining({ line: 2, outcome: 'unassigned' })]);
    expect(await planOf()).toBeNull();
  });

  it('works on an import job in one instance only: an instance that starts leaves alone a job another one holds, and takes it over once the holder stops', async () => {
    expect((await setSeats('X-lock', 5)).status).toBe(200);
    const user = await provision();
    const jobId = randomUUID();
    const lockName = `license-import:${jobId}`;
    const holder = new Client({ connectionString: stack.databaseUrl });
    await holder.connect();
    try {
      // As an instance working on the job holds its lock; a second instance starts and looks for unfinished jobs.
      await holder.query(`SELECT pg_advisory_lock(hashtextextended($1, 0))`, [lockName]);
      await holder.query(`INSERT INTO licensing.import_jobs (job_id, tenant_id, dry_run, status, total, csv) VALUES ($1, $2, false, 'running', 1, $3)`, [
        jobId,
        tenant.tenantId,
        `username,plan\n${user.userName},X-lock`,
      ]);
      const secondInstance = stack.licensing[1].app.get(LicenseImportService);
      await secondInstance.onApplicationBootstrap();
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      expect((await api('GET', `/imports/${jobId}`)).body).toMatchObject({ status: 'running', processed: 0 });
      // The holder stops (its connection ends, as in a rolling deploy after the new instance started): a running instance takes the job over.
      await holder.query(`SELECT pg_advisory_unlock(hashtextextended($1, 0))`, [lockName]);
      await eventually(async () => expect((await api('GET', `/imports/${jobId}`)).body).toMatchObject({ status: 'finished', processed: 1, summary: { changed: 1 } }));
    } finally {
      await holder.end();
    }
  });

  it(`queues at most ${UNFINISHED_IMPORTS_PER_COMPANY} imports per company, refusing another with 409 until one finishes`, async () => {
    const company = await stack.tenant({ sites: ['London'] });
    const jobIds = Array.from({ length: UNFINISHED_IMPORTS_PER_COMPANY }, () => randomUUID());
    const holder = new Client({ connectionString: stack.databaseUrl });
    await holder.connect();
    const upload = () =>
      fetch(`${base(0)}/api/v1/tenants/${company.tenantId}/licenses/imports`, {
        method: 'POST',
        headers: { authorization: `Bearer ${company.adminToken}`, 'content-type': 'text/csv' },
        body: 'username,plan\nnobody@contoso.com,X1',
      });
    try {
      // Jobs an instance is working on: their locks are held, so they stay unfinished.
      for (const jobId of jobIds) {
        await holder.query(`SELECT pg_advisory_lock(hashtextextended($1, 0))`, [`license-import:${jobId}`]);
        await holder.query(`INSERT INTO licensing.import_jobs (job_id, tenant_id, dry_run, status, total, csv) VALUES ($1, $2, false, 'running', 1, 'username,plan')`, [
          jobId,
          company.tenantId,
        ]);
      }
      const refused = await upload();
      expect(refused.status).toBe(409);
      expect(await refused.json()).toMatchObject({ title: 'imports-busy' });
      const [{ jobs }] = (await holder.query(`SELECT count(*)::int AS jobs FROM licensing.import_jobs WHERE tenant_id = $1`, [company.tenantId])).rows;
      expect(jobs).toBe(UNFINISHED_IMPORTS_PER_COMPANY);
      // Another company is not held up by this one's imports.
      expect((await importCsv('username,plan\nnobody@contoso.com,X1', true)).status).toBe('finished');
      await holder.query(`UPDATE licensing.import_jobs SET status = 'finished' WHERE job_id = $1`, [jobIds[0]]);
      expect((await upload()).status).toBe(202);
    } finally {
      await holder.end();
    }
  });

  it('works on a waiting import though older ones another instance holds come first in line', async () => {
    const company = await stack.tenant({ sites: ['London'] });
    const held = [randomUUID(), randomUUID()];
    const waiting = randomUUID();
    const holder = new Client({ connectionString: stack.databaseUrl });
    await holder.connect();
    try {
      // Two older jobs an instance elsewhere is working on: as many as an instance tries at once.
      for (const jobId of held) {
        await holder.query(`SELECT pg_advisory_lock(hashtextextended($1, 0))`, [`license-import:${jobId}`]);
        await holder.query(
          `INSERT INTO licensing.import_jobs (job_id, tenant_id, dry_run, status, total, csv, created_at) VALUES ($1, $2, false, 'running', 0, 'username,plan', now() - interval '1 hour')`,
          [jobId, company.tenantId],
        );
      }
      await holder.query(`INSERT INTO licensing.import_jobs (job_id, tenant_id, dry_run, status, total, csv) VALUES ($1, $2, true, 'queued', 1, 'username,plan\nnobody@contoso.com,X1')`, [
        waiting,
        company.tenantId,
      ]);
      const status = async () => (await holder.query(`SELECT status FROM licensing.import_jobs WHERE job_id = $1`, [waiting])).rows[0].status as string;
      await eventually(async () => expect(await status()).toBe('finished'), { timeoutMs: 20_000, intervalMs: 250 });
    } finally {
      await holder.end();
    }
  });

  it('tells the admins that a job stopped on an internal error, not what the error was', async () => {
    const jobId = randomUUID();
    // A file that passed the upload's checks but fails when worked on (here: one naming a column twice, written in by hand).
    await stack.scimService.infrastructure.dataSource.query(
      `INSERT INTO licensing.import_jobs (job_id, tenant_id, dry_run, status, total, csv) VALUES ($1, $2, false, 'queued', 1, 'username,username')`,
      [jobId, tenant.tenantId],
    );
    await stack.licensing[0].app.get(LicenseImportService).onApplicationBootstrap();
    await eventually(async () => expect((await api('GET', `/imports/${jobId}`)).body).toMatchObject({ status: 'failed', error: IMPORT_FAILED }));
  });

  it('starts a dry run taken over after a restart again from its first row, whose promises lived only in the stopped instance', async () => {
    expect((await setSeats('X-resume', 1)).status).toBe(200);
    const [first, second] = [await provision(), await provision()];
    const jobId = randomUUID();
    const db = new Client({ connectionString: stack.databaseUrl });
    await db.connect();
    try {
      // A stopped instance had previewed the first row (the plan's one seat is promised to it) and saved its result.
      await db.query(`INSERT INTO licensing.import_jobs (job_id, tenant_id, dry_run, status, total, processed, csv) VALUES ($1, $2, true, 'running', 2, 1, $3)`, [
        jobId,
        tenant.tenantId,
        `username,plan\n${first.userName},X-resume\n${second.userName},X-resume`,
      ]);
      await db.query(`INSERT INTO licensing.import_results (job_id, line, user_name, plan, action, outcome) VALUES ($1, 2, $2, 'X-resume', 'assign', 'would-assign')`, [jobId, first.userName]);
    } finally {
      await db.end();
    }
    await stack.licensing[1].app.get(LicenseImportService).onApplicationBootstrap();
    const job = await eventually(async () => {
      const status = await api<{ status: string; results: { line: number; outcome: string }[] }>('GET', `/imports/${jobId}`);
      expect(status.body.status).toBe('finished');
      return status.body;
    });
    expect(job.results.map(({ line, outcome }) => [line, outcome])).toEqual([
      [3, 'error'],
      [2, 'would-assign'],
    ]);
  });

  it('gives each row of a batch its own outcome when the seats run out within it, and applies a user’s rows in file order', async () => {
    expect((await setSeats('X8-import', 2)).status).toBe(200);
    const [a, b, c] = [await provision(), await provision(), await provision()];
    const lines = (...rows: string[]) => ['username,plan,action', ...rows].join('\n');
    const first = await importCsv(lines(`${a.userName},X8-import,assign`, `${b.userName},X8-import,assign`, `${c.userName},X8-import,assign`, `${a.userName},X8-import,unassign`, `${c.userName},X8-import,assign`), false);
    expect(byLine(first.results).map((row) => [row.line, row.outcome])).toEqual([
      [2, 'assigned'],
      [3, 'assigned'],
      [4, 'error'],
      [5, 'unassigned'],
      [6, 'assigned'],
    ]);
    expect(byLine(first.results)[2].error).toContain('no free X8-import seat');
    // The dry run of the same file on fresh users says row by row what the real run did: the seat the fourth row frees goes to the fifth.
    const [d, e, f] = [await provision(), await provision(), await provision()];
    expect((await setSeats('X8-dry', 2)).status).toBe(200);
    const preview = await importCsv(lines(`${d.userName},X8-dry,assign`, `${e.userName},X8-dry,assign`, `${f.userName},X8-dry,assign`, `${d.userName},X8-dry,unassign`, `${f.userName},X8-dry,assign`), true);
    expect(byLine(preview.results).map((row) => [row.line, row.outcome])).toEqual([
      [2, 'would-assign'],
      [3, 'would-assign'],
      [4, 'error'],
      [5, 'would-unassign'],
      [6, 'would-assign'],
    ]);
    expect(byLine(preview.results)[2].error).toContain('no free X8-dry seat');
    expect(preview.summary).toMatchObject({ wouldChange: 4, errors: 1 });
    const holders = async () => (await api<{ items: { userName: string; plan: string | null }[] }>('GET', '/users?licensed=true&plan=X8-import&limit=500')).body.items.map((user) => user.userName).sort();
    expect(await holders()).toEqual([b.userName, c.userName].sort());
    // One transaction for the batch, and the second row for a user after it:
    const second = await importCsv(lines(`${b.userName},X8-import,unassign`, `${a.userName},X8-import,assign`, `${b.userName},X8-import,assign`), false);
    expect(byLine(second.results).map((row) => [row.line, row.outcome])).toEqual([
      [2, 'unassigned'],
      [3, 'assigned'],
      [4, 'error'],
    ]);
    expect(await holders()).toEqual([a.userName, c.userName].sort());
    expect((await api<Usage>('GET', '')).body.plans.find((plan) => plan.plan === 'X8-import')).toMatchObject({ used: 2, free: 0 });

    // A user's second row is not put off until after the other rows: the seat it frees goes back to it, in file order.
    const [holder, newcomer] = [await provision(), await provision()];
    expect((await setSeats('X8-order', 1)).status).toBe(200);
    expect((await api('PUT', `/users/${holder.userId}`, { plan: 'X8-order' })).status).toBe(200);
    const reshuffle = lines(`${holder.userName},X8-order,unassign`, `${holder.userName},X8-order,assign`, `${newcomer.userName},X8-order,assign`);
    const outcomes = async (dryRun: boolean) => byLine((await importCsv(reshuffle, dryRun)).results).map((row) => row.outcome);
    expect(await outcomes(true)).toEqual(['would-unassign', 'would-assign', 'error']);
    expect(await outcomes(false)).toEqual(['unassigned', 'assigned', 'error']);
  });

  it('auto-assigns by rule on provisioning through SCIM, and lists users a rule could not serve', async () => {
    await setSeats('X4', 5);
    await setSeats('X2', 1);
    const used = (await api<Usage>('GET', '')).body.plans.find((plan) => plan.plan === 'X4')!.used;
    expect((await api('PUT', '/rules', { rules: [{ attribute: 'department', value: 'Sales', plan: 'X2' }, { attribute: 'site', value: 'Paris', plan: 'X4' }] })).status).toBe(200);
    const seller = await provision({ department: 'Sales' });
    const parisian = await provision({ site: 'Paris' });
    const secondSeller = await provision({ department: 'Sales' });
    const plain = await provision();
    await eventually(async () => {
      const licensed = await api<{ items: { userId: string; plan: string | null }[] }>('GET', '/users?licensed=true&limit=500');
      const plans = Object.fromEntries(licensed.body.items.map((user) => [user.userId, user.plan]));
      expect([plans[seller.userId], plans[parisian.userId]]).toEqual(['X2', 'X4']);
    });
    await eventually(async () => {
      const unserved = await api<{ items: { userId: string; plan: string; reason: string }[]; total: number }>('GET', '/unserved?sort=userName&limit=10');
      expect(unserved.body.items).toEqual([expect.objectContaining({ userId: secondSeller.userId, plan: 'X2', reason: expect.stringContaining('no free X2 seat') })]);
    });
    const users = await api<{ items: { userId: string; plan: string | null }[] }>('GET', '/users?licensed=false&limit=500');
    expect(users.body.items.map((user) => user.userId)).toContain(plain.userId);
    expect((await api<Usage>('GET', '')).body.plans.find((plan) => plan.plan === 'X4')!.used).toBe(used + 1);
    // An admin licensing one who waits, and the IdP moving another out of Sales, leave neither waiting.
    const thirdSeller = await provision({ department: 'Sales' });
    const waiting = async () => (await api<{ items: { userId: string }[] }>('GET', '/unserved?sort=userName&limit=10')).body.items.map((item) => item.userId).sort();
    await eventually(async () => expect(await waiting()).toEqual([secondSeller.userId, thirdSeller.userId].sort()));
    expect((await api('PUT', `/users/${secondSeller.userId}`, { plan: 'X4' })).status).toBe(200);
    await scim('PATCH', `/Users/${thirdSeller.userId}`, {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'Replace', path: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department', value: 'Support' }],
    });
    await eventually(async () => expect(await waiting()).toEqual([]));
    // Once no rule names the plan, nobody is waiting for it.
    await api('PUT', '/rules', { rules: [] });
    expect((await api<{ items: unknown[] }>('GET', '/unserved')).body.items).toEqual([]);
  });

  it('never gives back by rule a license an admin took away, whatever the IdP changes next', async () => {
    await setSeats('X-rule', 5);
    // Every user so far is in Support too: the rule must not meet their events, which the reaction may still be working through.
    await eventually(async () => expect(await stack.consumerCaughtUp('reaction.licensing.auto-assign', TOPICS.identityUser.name)).toBe(true));
    expect((await api('PUT', '/rules', { rules: [{ attribute: 'department', value: 'Support', plan: 'X-rule' }] })).status).toBe(200);
    try {
      const user = await provision({ department: 'Support' });
      type Row = { userId: string; plan: string | null; title: string | null };
      const row = async () => (await api<{ items: Row[] }>('GET', '/users?limit=500')).body.items.find((item) => item.userId === user.userId);
      await eventually(async () => expect(await row()).toMatchObject({ plan: 'X-rule' }));
      expect((await api('DELETE', `/users/${user.userId}`)).body).toMatchObject({ outcome: 'unassigned' });

      // A change a rule reads (the title) and one it does not (the mobile number): the rule looks again, and leaves the user alone.
      const patch = (path: string, value: string) => scim('PATCH', `/Users/${user.userId}`, { schemas: [PATCH_OP], Operations: [{ op: 'Replace', path, value }] });
      expect((await patch('phoneNumbers[type eq "mobile"].value', '+44 7700 900123')).status).toBe(200);
      expect((await patch('title', 'Support Lead')).status).toBe(200);
      await eventually(async () => expect(await row()).toMatchObject({ title: 'Support Lead' }));
      // The rule's reaction runs beside the users read model: wait until it has handled every user event so far.
      await eventually(async () => expect(await stack.consumerCaughtUp('reaction.licensing.auto-assign', TOPICS.identityUser.name)).toBe(true));
      expect(await row()).toMatchObject({ plan: null });
      expect((await api<Usage>('GET', '')).body.plans.find((plan) => plan.plan === 'X-rule')).toMatchObject({ used: 0 });
    } finally {
      // The rule must not meet the next tests' users, who are in Support too.
      await api('PUT', '/rules', { rules: [] });
    }
  });

  it('matches a site rule by the site’s current name after a rename', async () => {
    expect((await setSeats('X-site', 5)).status).toBe(200);
    const directory = (method: string, path: string, body?: unknown) => stack.admin<{ siteId: string }>(stack.directoryUrl, method, `/api/v1/tenants/${tenant.tenantId}${path}`, tenant.adminToken, body);
    const { siteId } = (await directory('POST', '/sites', { name: 'Lisbon' })).body;
    const userName = `lisbon.${randomUUID().slice(0, 8)}@contoso.com`;
    const userId = await eventually(async () => {
      const created = await scim<{ id: string }>('POST', '/Users', azure.createUser(userName, 'Lisbon'));
      expect(created.status).toBe(201);
      return created.body.id;
    });
    expect((await directory('PATCH', `/sites/${siteId}`, { name: 'Lisboa' })).status).toBe(200);
    const userOf = async () => (await api<{ items: { userId: string; siteName: string | null; plan: string | null }[] }>('GET', '/users?limit=500')).body.items.find((item) => item.userId === userId);
    await eventually(async () => expect(await userOf()).toMatchObject({ siteName: 'Lisboa', plan: null }));
    expect((await api('PUT', '/rules', { rules: [{ attribute: 'site', value: 'Lisboa', plan: 'X-site' }] })).status).toBe(200);
    // The next change Azure AD sends makes the rules look at the user again.
    await scim('PATCH', `/Users/${userId}`, { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'Replace', path: 'title', value: 'Navigator' }] });
    await eventually(async () => expect(await userOf()).toMatchObject({ plan: 'X-site' }));
  });

  it('answers 404 to another tenant’s admin token on every licensing route', async () => {
    const other = await stack.tenant({ sites: ['Rome'] });
    await eventually(async () =>
      expect((await stack.admin(base(0), 'GET', `/api/v1/tenants/${other.tenantId}/licenses`, other.adminToken)).status).toBe(200),
    );
    const routes = [...stack.tenantRoutes()].filter((route) => route.path.includes('/licenses'));
    expect(routes.length).toBeGreaterThanOrEqual(9);
    for (const route of routes) {
      const path = route.path.replace(':tenantId', tenant.tenantId).replace(/:(\w+)/g, () => randomUUID());
      const response = await stack.admin(route.base, route.method, path, other.adminToken, route.method === 'GET' || route.method === 'DELETE' ? undefined : {});
      expect({ route: `${route.method} ${route.path}`, status: response.status }).toEqual({ route: `${route.method} ${route.path}`, status: 404 });
    }
  });
});
