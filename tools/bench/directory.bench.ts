import { Client } from 'pg';
import { directoryUsersProjection } from '@identity/directory-data-access';
import { createDataSource, publishAsIs } from '@identity/platform-event-store';
import { rebuildProjection } from '@identity/platform-projections';
import { barChartSvg, machine, progress, round, runConcurrently, summarise, writeReport } from './bench-report';
import { BENCH_PLATFORM_TOKEN, startBenchStack, workspaceRoot } from './bench-stack';

/**
 * `npm run bench:directory`: company-directory search latency with 100,000 users in a tenant, and
 * the rate of a projection rebuild from the event store against the raw rate of batched inserts
 * into the same table, measured in the same run.
 */
const USERS = Number(process.env.BENCH_DIRECTORY_USERS ?? 100_000);
const REBUILD_EVENTS = Number(process.env.BENCH_REBUILD_EVENTS ?? 1_000_000);
const SEARCHES = Number(process.env.BENCH_SEARCHES ?? 2_000);
const GIVEN = ['Ada', 'Alan', 'Barbara', 'Claude', 'Dennis', 'Edsger', 'Frances', 'Grace', 'Hedy', 'Ivan', 'John', 'Katherine', 'Linus', 'Margaret', 'Niklaus', 'Radia'];
const FAMILY = ['Lovelace', 'Turing', 'Liskov', 'Shannon', 'Ritchie', 'Dijkstra', 'Allen', 'Hopper', 'Lamarr', 'Sutherland', 'McCarthy', 'Johnson', 'Torvalds', 'Hamilton', 'Wirth', 'Perlman'];

async function main(): Promise<void> {
  const started = Date.now();
  const stack = await startBenchStack(['user-directory', 'event-relay']);
  const db = new Client({ connectionString: stack.databaseUrl });
  await db.connect();
  try {
    const directory = stack.urls['user-directory'];
    const tenant = (await (
      await fetch(`${directory}/api/v1/tenants`, {
        method: 'POST',
        headers: { authorization: `Bearer ${BENCH_PLATFORM_TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'Bench directory' }),
      })
    ).json()) as { tenantId: string; adminToken: string };

    progress(`seeding ${USERS} visible users into the directory read model`);
    await db.query(
      `INSERT INTO directory.users (user_id, tenant_id, user_name, status, owner, given_name, family_name, title, mobile_phone, work_phone, visible, created_at, updated_at, version)
       SELECT gen_random_uuid(), $1, 'user' || n || '@bench.example', 'active', 'idp',
              ($3::text[])[1 + n % 16] || n % 97, ($4::text[])[1 + (n / 16) % 16], 'Engineer',
              '+44 7700 ' || lpad((n % 1000000)::text, 6, '0'), '+44 20 7946 ' || lpad((n % 10000)::text, 4, '0'), true, now(), now(), 1
         FROM generate_series(1, $2::int) AS n`,
      [tenant.tenantId, USERS, GIVEN, FAMILY],
    );
    await db.query('ANALYZE directory.users');
    const search = async (query: string) => {
      const response = await fetch(`${directory}/api/v1/tenants/${tenant.tenantId}/directory?${query}&limit=25`, {
        headers: { authorization: `Bearer ${tenant.adminToken}` },
      });
      if (!response.ok) throw new Error(`search ${query}: ${response.status}`);
      await response.arrayBuffer();
    };
    const queries = (index: number) =>
      index % 3 === 0
        ? `q=${GIVEN[index % 16].slice(0, 3)}`
        : index % 3 === 1
          ? `q=${encodeURIComponent(`${GIVEN[index % 16]} ${FAMILY[(index * 7) % 16].slice(0, 2)}`)}`
          : `number=${encodeURIComponent(`+44 7700 ${String(index % 1000).padStart(3, '0')}`)}`;
    const searches: Record<string, ReturnType<typeof summarise>> = {};
    for (const concurrency of [1, 16]) {
      progress(`directory search: ${SEARCHES} at concurrency ${concurrency}`);
      const run = await runConcurrently(SEARCHES, concurrency, (index) => search(queries(index)));
      searches[`concurrency ${concurrency}`] = summarise(run.latencies, run.seconds);
    }

    progress(`raw baseline: ${REBUILD_EVENTS} rows inserted in batches into directory.users`);
    await db.query('TRUNCATE directory.users');
    const rawStarted = process.hrtime.bigint();
    for (let offset = 0; offset < REBUILD_EVENTS; offset += 50_000) {
      await db.query(
        `INSERT INTO directory.users (user_id, tenant_id, user_name, status, owner, given_name, family_name, created_at, updated_at, version)
         SELECT gen_random_uuid(), $1, 'raw' || n || '@bench.example', 'active', 'idp', 'Given', 'Family', now(), now(), 1
           FROM generate_series($2::int, $3::int) AS n`,
        [tenant.tenantId, offset + 1, Math.min(REBUILD_EVENTS, offset + 50_000)],
      );
    }
    const rawSeconds = Number(process.hrtime.bigint() - rawStarted) / 1e9;
    await db.query('TRUNCATE directory.users');

    progress(`seeding ${REBUILD_EVENTS} events (user provisioned, then shown in the directory) into the event store`);
    const usersForEvents = Math.floor(REBUILD_EVENTS / 2);
    for (let offset = 0; offset < usersForEvents; offset += 25_000) {
      await db.query(
        `WITH ids AS (SELECT gen_random_uuid() AS id, n FROM generate_series($2::int, $3::int) AS n),
              streams AS (INSERT INTO event_store.streams (stream_id, stream_type, tenant_id, version) SELECT 'user-' || id, 'user', $1, 2 FROM ids)
         INSERT INTO event_store.events (stream_id, stream_type, stream_version, tenant_id, event_id, event_type, schema_version, data, metadata, occurred_at)
         SELECT 'user-' || id, 'user', v, $1, gen_random_uuid(), CASE v WHEN 1 THEN 'UserProvisioned' ELSE 'DirectoryVisibilityChanged' END, 1,
                CASE v WHEN 1 THEN jsonb_build_object('userId', id, 'userName', 'ev' || n || '@bench.example', 'owner', 'idp', 'idp', 'azure-ad', 'externalId', null, 'active', true,
                                          'profile', jsonb_build_object('givenName', 'Given', 'familyName', 'Family', 'email', null, 'title', null, 'department', null,
                                                                        'mobilePhone', null, 'workPhone', null, 'locale', null, 'timezone', null))
                       ELSE jsonb_build_object('userId', id, 'visible', true) END,
                jsonb_build_object('eventId', gen_random_uuid(), 'tenantId', $1, 'occurredAt', now(), 'correlationId', 'bench', 'causationId', 'bench'), now()
           FROM ids CROSS JOIN generate_series(1, 2) AS v`,
        [tenant.tenantId, offset + 1, Math.min(usersForEvents, offset + 25_000)],
      );
    }
    const dataSource = createDataSource({ url: stack.databaseUrl, migrations: [], poolSize: 2, applicationName: 'bench-rebuild' });
    await dataSource.initialize();
    progress('rebuilding directory.users from the event store');
    const rebuild = await rebuildProjection(dataSource, directoryUsersProjection, publishAsIs, (read) => {
      if (read % 100_000 === 0) progress(`  ${read} events replayed`);
    });
    await dataSource.destroy();
    const rebuildRate = rebuild.eventsApplied / (rebuild.durationMs / 1000);
    const rawRate = REBUILD_EVENTS / rawSeconds;

    const result = {
      benchmark: 'directory',
      at: new Date().toISOString(),
      machine: machine(),
      durationSeconds: round((Date.now() - started) / 1000, 1),
      directorySearch: { users: USERS, ...searches },
      rebuild: { events: rebuild.eventsApplied, seconds: round(rebuild.durationMs / 1000), eventsPerSecond: round(rebuildRate), rawBatchedInsertRowsPerSecond: round(rawRate), ratio: round(rebuildRate / rawRate, 3) },
      targets: { searchP99Under30ms: Object.values(searches).every((summary) => summary.p99 < 30), rebuildAtLeast20kPerSecond: rebuildRate >= 20_000 },
    };
    const markdown = `# Directory benchmark\n\n${result.at} on ${result.machine.cpus} × ${result.machine.cpuModel}. Client, services, PostgreSQL and Kafka share the machine.\n\n| directory search (${USERS} users) | per s | p50 ms | p95 ms | p99 ms |\n|---|---|---|---|---|\n${Object.entries(searches)
      .map(([name, summary]) => `| ${name} | ${summary.perSecond} | ${summary.p50} | ${summary.p95} | ${summary.p99} |`)
      .join('\n')}\n\nRebuild of directory.users: ${rebuild.eventsApplied} events in ${result.rebuild.seconds} s = ${result.rebuild.eventsPerSecond} events/s; raw batched inserts into the same table: ${result.rebuild.rawBatchedInsertRowsPerSecond} rows/s (ratio ${result.rebuild.ratio}).\n\nTargets: search p99 < 30 ms: ${result.targets.searchP99Under30ms ? 'met' : 'NOT met'}; rebuild ≥ 20,000 events/s: ${result.targets.rebuildAtLeast20kPerSecond ? 'met' : 'NOT met'}.\n\n![search](directory-search.svg)\n`;
    const files = writeReport(workspaceRoot, 'directory', result, markdown, {
      'directory-search.svg': barChartSvg(`Directory search latency, ${USERS} users`, Object.keys(searches), [
        { label: 'p50', values: Object.values(searches).map((summary) => summary.p50) },
        { label: 'p95', values: Object.values(searches).map((summary) => summary.p95) },
        { label: 'p99', values: Object.values(searches).map((summary) => summary.p99) },
      ], 'milliseconds'),
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
