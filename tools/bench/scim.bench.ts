import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { barChartSvg, httpRequest, machine, progress, round, runConcurrently, summarise, writeReport, type Summary } from './bench-report';
import { rawInsertRate, startBenchStack, workspaceRoot } from './bench-stack';
import { benchUser as user, createScimTenant as setUpTenant } from './bench-tenant';

/**
 * `npm run bench:scim`: SCIM create, get-by-filter and patch at concurrency 1, 16 and 64 against
 * the real stack, beside the raw PostgreSQL single-row insert rate measured in the same run; then
 * get-by-userName latency with 100,000 users in the tenant.
 */
const scale = Number(process.env.BENCH_SCALE ?? 1);
const CONCURRENCY = [1, 16, 64];
const OPS: Record<number, number> = { 1: Math.round(300 * scale), 16: Math.round(1000 * scale), 64: Math.round(1500 * scale) };
const LARGE_TENANT_USERS = Number(process.env.BENCH_LARGE_TENANT_USERS ?? 100_000);

async function main(): Promise<void> {
  const started = Date.now();
  const stack = await startBenchStack(['user-directory', 'scim-ingest', 'event-relay'], { SCIM_RATE_LIMIT_PER_SECOND: '100000' });
  try {
    const scimBase = stack.urls['scim-ingest'];
    const { tenantId, token } = await setUpTenant(stack.urls['user-directory'], scimBase, stack.databaseUrl);
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json' };
    const base = `${scimBase}/scim/v2/${tenantId}`;
    const call = async (method: string, path: string, body?: unknown, expected = 200) => {
      const response = await httpRequest(`${base}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
      if (response.status !== expected) throw new Error(`${method} ${path}: ${response.status}`);
    };
    const rows: { concurrency: number; raw: Summary; create: Summary; filter: Summary; patch: Summary }[] = [];
    for (const concurrency of CONCURRENCY) {
      const total = OPS[concurrency];
      progress(`concurrency ${concurrency}: raw PostgreSQL inserts (${total})`);
      const raw = await rawInsertRate(stack.databaseUrl, concurrency, total);
      progress(`concurrency ${concurrency}: SCIM creates (${total})`);
      const ids: string[] = [];
      const names: string[] = [];
      const create = await runConcurrently(total, concurrency, async (index) => {
        const userName = `c${concurrency}.${index}.${randomUUID().slice(0, 8)}@bench.example`;
        const response = await httpRequest(`${base}/Users`, { method: 'POST', headers, body: JSON.stringify(user(userName)) });
        const body = JSON.parse(response.text) as { id: string };
        if (response.status !== 201) throw new Error(`create: ${response.status} ${JSON.stringify(body)}`);
        ids[index] = body.id;
        names[index] = userName;
      });
      progress(`concurrency ${concurrency}: get by userName filter (${total})`);
      const filter = await runConcurrently(total, concurrency, (index) => call('GET', `/Users?filter=${encodeURIComponent(`userName eq "${names[index]}"`)}`));
      progress(`concurrency ${concurrency}: PATCH (${total})`);
      const patch = await runConcurrently(total, concurrency, (index) =>
        call('PATCH', `/Users/${ids[index]}`, { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'Replace', path: 'title', value: `Title ${index}` }] }),
      );
      rows.push({
        concurrency,
        raw: summarise(raw.latencies, raw.seconds),
        create: summarise(create.latencies, create.seconds),
        filter: summarise(filter.latencies, filter.seconds),
        patch: summarise(patch.latencies, patch.seconds),
      });
      const last = rows.at(-1)!;
      progress(`  raw ${last.raw.perSecond}/s, create ${last.create.perSecond}/s (p99 ${last.create.p99} ms), filter ${last.filter.perSecond}/s, patch ${last.patch.perSecond}/s`);
    }

    progress(`seeding ${LARGE_TENANT_USERS} users into a second tenant's SCIM view`);
    const large = await setUpTenant(stack.urls['user-directory'], scimBase, stack.databaseUrl);
    const db = new Client({ connectionString: stack.databaseUrl });
    await db.connect();
    await db.query(
      `INSERT INTO scim.users (user_id, tenant_id, user_name, external_id, active, owner, idp, given_name, family_name, email, created_at, last_modified, version)
       SELECT gen_random_uuid(), $1, 'user' || n || '@large.example', 'ext' || n, true, 'idp', 'azure-ad', 'Given' || n, 'Family', 'user' || n || '@large.example', now(), now(), 1
         FROM generate_series(1, $2::int) AS n`,
      [large.tenantId, LARGE_TENANT_USERS],
    );
    await db.query('ANALYZE scim.users');
    await db.end();
    const largeHeaders = { authorization: `Bearer ${large.token}` };
    const lookups = Math.round(3000 * scale);
    // Azure AD sends at most ~25 requests/s per job, one at a time: concurrency 1 is its load; 16 shows headroom.
    const largeTenant: Record<string, Summary> = {};
    for (const concurrency of [1, 16]) {
      progress(`get by userName in the ${LARGE_TENANT_USERS}-user tenant (${lookups} at concurrency ${concurrency})`);
      const run = await runConcurrently(lookups, concurrency, async (index) => {
        const userName = `USER${1 + ((index * 7919) % LARGE_TENANT_USERS)}@large.example`;
        const response = await httpRequest(`${scimBase}/scim/v2/${large.tenantId}/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}`, { headers: largeHeaders });
        const body = JSON.parse(response.text) as { totalResults: number };
        if (body.totalResults !== 1) throw new Error(`lookup of ${userName} found ${body.totalResults}`);
      });
      largeTenant[`concurrency ${concurrency}`] = summarise(run.latencies, run.seconds);
    }
    const large100k = largeTenant['concurrency 1'];

    const result = {
      benchmark: 'scim',
      at: new Date().toISOString(),
      machine: machine(),
      durationSeconds: round((Date.now() - started) / 1000, 1),
      note: 'Client, services, PostgreSQL and Kafka share this machine. The large tenant is seeded straight into the SCIM read model.',
      rows: rows.map((row) => ({ ...row, createToRawRatio: round(row.create.perSecond / row.raw.perSecond, 3) })),
      largeTenant: { users: LARGE_TENANT_USERS, getByUserName: largeTenant },
      targets: {
        createAtLeast40PercentOfRaw: rows.every((row) => row.create.perSecond >= 0.4 * row.raw.perSecond),
        getByUserNameP99Under20ms: large100k.p99 < 20,
      },
    };
    const table = [
      '| concurrency | raw inserts/s | create/s (ratio) | create p50/p99 ms | filter/s | filter p50/p99 ms | patch/s | patch p50/p99 ms |',
      '|---|---|---|---|---|---|---|---|',
      ...result.rows.map(
        (row) =>
          `| ${row.concurrency} | ${row.raw.perSecond} | ${row.create.perSecond} (${row.createToRawRatio}) | ${row.create.p50} / ${row.create.p99} | ${row.filter.perSecond} | ${row.filter.p50} / ${row.filter.p99} | ${row.patch.perSecond} | ${row.patch.p50} / ${row.patch.p99} |`,
      ),
    ].join('\n');
    const markdown = `# SCIM benchmark\n\n${result.at} on ${result.machine.cpus} × ${result.machine.cpuModel}, ${result.machine.memoryGiB} GiB, Node ${result.machine.node}. ${result.note}\n\n${table}\n\nGet by userName with ${LARGE_TENANT_USERS} users in the tenant: ${Object.entries(largeTenant).map(([name, summary]) => `${name}: p50 ${summary.p50} ms, p99 ${summary.p99} ms, ${summary.perSecond}/s`).join('; ')}.\n\nTargets: create ≥ 40% of the raw insert rate: ${result.targets.createAtLeast40PercentOfRaw ? 'met' : 'NOT met'}; get-by-userName p99 < 20 ms (at Azure's concurrency 1): ${result.targets.getByUserNameP99Under20ms ? 'met' : 'NOT met'}.\n\n![throughput](scim-throughput.svg)\n![latency](scim-latency.svg)\n`;
    const categories = rows.map((row) => `concurrency ${row.concurrency}`);
    const files = writeReport(workspaceRoot, 'scim', result, markdown, {
      'scim-throughput.svg': barChartSvg('SCIM throughput vs raw PostgreSQL inserts', categories, [
        { label: 'raw inserts', values: rows.map((row) => row.raw.perSecond) },
        { label: 'create', values: rows.map((row) => row.create.perSecond) },
        { label: 'get by filter', values: rows.map((row) => row.filter.perSecond) },
        { label: 'patch', values: rows.map((row) => row.patch.perSecond) },
      ], 'requests per second'),
      'scim-latency.svg': barChartSvg('SCIM p99 latency', categories, [
        { label: 'create p99', values: rows.map((row) => row.create.p99) },
        { label: 'get by filter p99', values: rows.map((row) => row.filter.p99) },
        { label: 'patch p99', values: rows.map((row) => row.patch.p99) },
      ], 'milliseconds'),
    });
    process.stdout.write(`${markdown}\nwritten: ${files.map((file) => file.replace(`${workspaceRoot}/`, '')).join(', ')}\n`);
  } finally {
    await stack.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
