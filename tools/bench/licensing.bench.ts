import { Client } from 'pg';
import { barChartSvg, machine, progress, round, writeReport } from './bench-report';
import { BENCH_PLATFORM_TOKEN, startBenchStack, workspaceRoot } from './bench-stack';

/**
 * `npm run bench:licensing`: a CSV import of 50,000 assignments (the documented maximum) as the
 * admin runs it, against the raw rate of batched inserts into the same table in the same run.
 */
const ROWS = Number(process.env.BENCH_IMPORT_ROWS ?? 50_000);

async function main(): Promise<void> {
  const started = Date.now();
  const stack = await startBenchStack(['user-directory', 'licensing', 'event-relay'], { HTTP_BODY_LIMIT: '8mb' });
  const db = new Client({ connectionString: stack.databaseUrl });
  await db.connect();
  try {
    const platform = { authorization: `Bearer ${BENCH_PLATFORM_TOKEN}`, 'content-type': 'application/json' };
    const tenant = (await (await fetch(`${stack.urls['user-directory']}/api/v1/tenants`, { method: 'POST', headers: platform, body: JSON.stringify({ name: 'Bench licensing' }) })).json()) as {
      tenantId: string;
      adminToken: string;
    };
    const licenses = `${stack.urls.licensing}/api/v1/tenants/${tenant.tenantId}/licenses`;
    for (let attempt = 0; ; attempt++) {
      const response = await fetch(`${licenses}/plans/X4`, { method: 'PUT', headers: platform, body: JSON.stringify({ seats: ROWS }) });
      if (response.ok) break;
      if (attempt > 200) throw new Error(`seats not set: ${response.status}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    progress(`seeding ${ROWS} users with a site into licensing's view of users`);
    await db.query(
      `INSERT INTO licensing.users (user_id, tenant_id, user_name, status, site_id, site_name, updated_at, version)
       SELECT gen_random_uuid(), $1, 'user' || n || '@bench.example', 'active', gen_random_uuid(), 'London', now(), 2 FROM generate_series(1, $2::int) AS n`,
      [tenant.tenantId, ROWS],
    );
    await db.query('ANALYZE licensing.users');

    progress(`raw baseline: ${ROWS} rows inserted in batches into licensing.user_licenses`);
    const rawStarted = process.hrtime.bigint();
    for (let offset = 0; offset < ROWS; offset += 10_000) {
      await db.query(
        `INSERT INTO licensing.user_licenses (user_id, tenant_id, plan, assigned_at) SELECT gen_random_uuid(), $1, 'RAW', now() FROM generate_series($2::int, $3::int)`,
        [tenant.tenantId, offset + 1, Math.min(ROWS, offset + 10_000)],
      );
    }
    const rawSeconds = Number(process.hrtime.bigint() - rawStarted) / 1e9;
    await db.query(`DELETE FROM licensing.user_licenses WHERE plan = 'RAW'`);

    const csv = ['username,plan,action', ...Array.from({ length: ROWS }, (_, index) => `user${index + 1}@bench.example,X4,assign`)].join('\n');
    progress(`importing ${ROWS} rows (${Math.round(csv.length / 1024)} KiB)`);
    const importStarted = Date.now();
    const response = await fetch(`${licenses}/imports`, { method: 'POST', headers: { authorization: `Bearer ${tenant.adminToken}`, 'content-type': 'text/csv' }, body: csv });
    const { jobId } = (await response.json()) as { jobId: string };
    if (!jobId) throw new Error(`import refused: ${response.status}`);
    let job: { status: string; processed: number; summary: Record<string, number> };
    for (;;) {
      job = (await (await fetch(`${licenses}/imports/${jobId}`, { headers: { authorization: `Bearer ${tenant.adminToken}` } })).json()) as typeof job;
      process.stderr.write(`\rbench: import ${job.status}: ${job.processed} of ${ROWS}`);
      if (job.status === 'finished' || job.status === 'failed') break;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    process.stderr.write('\n');
    const importSeconds = (Date.now() - importStarted) / 1000;
    const result = {
      benchmark: 'licensing',
      at: new Date().toISOString(),
      machine: machine(),
      durationSeconds: round((Date.now() - started) / 1000, 1),
      import: { rows: ROWS, status: job.status, summary: job.summary, seconds: round(importSeconds), rowsPerSecond: round(ROWS / importSeconds) },
      rawBatchedInsertRowsPerSecond: round(ROWS / rawSeconds),
      ratio: round(ROWS / importSeconds / (ROWS / rawSeconds), 4),
    };
    const markdown = `# Licensing benchmark\n\n${result.at} on ${result.machine.cpus} × ${result.machine.cpuModel}. Client, services, PostgreSQL and Kafka share the machine.\n\nCSV import of ${ROWS} assignments: ${result.import.status} in ${result.import.seconds} s (${result.import.rowsPerSecond} rows/s; ${JSON.stringify(job.summary)}).\nRaw batched inserts into licensing.user_licenses: ${result.rawBatchedInsertRowsPerSecond} rows/s (import/raw ratio ${result.ratio}).\n\n![rates](licensing.svg)\n`;
    const files = writeReport(workspaceRoot, 'licensing', result, markdown, {
      'licensing.svg': barChartSvg(`Licensing: ${ROWS} rows`, ['rows per second'], [
        { label: 'CSV import', values: [result.import.rowsPerSecond] },
        { label: 'raw batched inserts', values: [result.rawBatchedInsertRowsPerSecond] },
      ], 'rows per second'),
    });
    process.stdout.write(`${markdown}\nwritten: ${files.map((file) => file.replace(`${workspaceRoot}/`, '')).join(', ')}\n`);
  } finally {
    await db.end();
    await stack.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
