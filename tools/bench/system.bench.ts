import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';
import { barChartSvg, httpRequest, machine, progress, round, runConcurrently, summarise, writeReport, type Summary } from './bench-report';
import { rawInsertRate, startBenchStack, workspaceRoot } from './bench-stack';
import { benchUser, createScimTenant } from './bench-tenant';

/**
 * `npm run bench`: the system as Azure AD and the internal consumers see it. A provisioning cycle
 * (creates, finds by filter, updates in both PATCH dialects, 10% deactivated) against one process
 * per service; how long each create takes to reach the directory, sign-in and licensing read
 * models; lags and memory; and, in the same run, the raw PostgreSQL insert rate and the kafkajs
 * produce-and-consume round trip those numbers are compared with.
 */
const USERS = Number(process.env.BENCH_USERS ?? 10_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
/** Requests per second across all workers; 0 sends as fast as the stack answers. */
const RATE = Number(process.env.BENCH_RATE ?? 0);
const SERVICES = ['user-directory', 'scim-ingest', 'licensing', 'saml-auth', 'admin-console', 'event-relay'];
const READ_MODELS = { directory: 'directory.users', 'sign-in': 'sso.login_accounts', licensing: 'licensing.users' } as const;
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

function rssMiB(pid: number | undefined): number {
  if (!pid) return 0;
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmRSS:\s+(\d+) kB/);
  return line ? round(Number(line[1]) / 1024, 1) : 0;
}

/** Spaces requests out to RATE per second over all workers (none when RATE is 0). */
function pacer() {
  if (RATE <= 0) return async () => undefined;
  const interval = 1000 / RATE;
  let next = Date.now();
  return async () => {
    const at = next;
    next += interval;
    const wait = at - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  };
}

/** The kafkajs baseline: produce N messages and consume them, each message's produce-to-consume latency. */
async function kafkaRoundTrip(brokers: string, count: number): Promise<{ latencies: number[]; seconds: number }> {
  const kafka = new Kafka({ clientId: 'bench-baseline', brokers: brokers.split(','), logLevel: logLevel.NOTHING });
  const topic = `bench-baseline-${randomUUID()}`;
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 2 }], waitForLeaders: true });
  const consumer = kafka.consumer({ groupId: `${topic}-group` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const latencies: number[] = [];
  let resolveDone: () => void;
  const done = new Promise<void>((resolve) => (resolveDone = resolve));
  await consumer.run({
    eachMessage: async ({ message }) => {
      latencies.push(Date.now() - Number(message.headers?.sentAt?.toString()));
      if (latencies.length === count) resolveDone();
    },
  });
  const producer = kafka.producer({ idempotent: true });
  await producer.connect();
  const started = process.hrtime.bigint();
  await runConcurrently(count, CONCURRENCY, async (index) => {
    await producer.send({ topic, acks: -1, messages: [{ key: `user-${index}`, value: JSON.stringify({ index }), headers: { sentAt: String(Date.now()) } }] });
  });
  await done;
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  await producer.disconnect();
  await consumer.disconnect();
  await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
  await admin.disconnect();
  return { latencies, seconds };
}

/**
 * Watches the read models for users whose create was acknowledged: the time from the 201 to the
 * row's appearance, polled every 10 ms (so latencies carry up to 10 ms of polling granularity). One
 * statement a tick looks at all three models, so that the watching loads the database it measures
 * as little as it can.
 */
function propagationWatcher(db: Client) {
  const pending = new Map<string, { acknowledgedAt: number; seen: Set<string> }>();
  const latencies: Record<string, number[]> = Object.fromEntries(Object.keys(READ_MODELS).map((model) => [model, []]));
  let stopped = false;
  let abandoned = false;
  const loop = (async () => {
    while ((!stopped || pending.size > 0) && !abandoned) {
      const ids = [...pending.keys()];
      if (ids.length > 0) {
        const models = Object.entries(READ_MODELS);
        const waiting = models.map(([model]) => ids.filter((id) => !pending.get(id)!.seen.has(model)));
        const rows = await db.query<{ model: string; user_id: string }>(
          models.map(([model, table], index) => `SELECT '${model}' AS model, user_id FROM ${table} WHERE user_id = ANY($${index + 1}::uuid[])`).join(' UNION ALL '),
          waiting,
        );
        const now = Date.now();
        for (const { model, user_id } of rows.rows) {
          const entry = pending.get(user_id)!;
          entry.seen.add(model);
          latencies[model].push(now - entry.acknowledgedAt);
        }
        for (const id of ids) if (pending.get(id)!.seen.size === models.length) pending.delete(id);
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  })();
  return {
    acknowledged: (userId: string) => pending.set(userId, { acknowledgedAt: Date.now(), seen: new Set() }),
    async finish(timeoutMs: number) {
      stopped = true;
      const timer = setTimeout(() => (abandoned = true), timeoutMs);
      await loop;
      clearTimeout(timer);
      return { latencies, unseen: pending.size };
    },
  };
}

/** Samples every consumer's projection lag (its /metrics) and the relay's backlog once a second. */
function lagSampler(urls: Record<string, string>, db: Client) {
  const projectionLag: number[] = [];
  const relayBacklog: number[] = [];
  const rss: Record<string, number> = {};
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      for (const service of ['user-directory', 'scim-ingest', 'licensing', 'saml-auth']) {
        const metrics = await fetch(`${urls[service]}/metrics`).then((response) => response.text()).catch(() => '');
        for (const match of metrics.matchAll(/^projection_lag_seconds\{[^}]*\} ([0-9.e+-]+)$/gm)) projectionLag.push(Number(match[1]) * 1000);
      }
      const backlog = await db.query<{ behind: string }>(
        `SELECT (SELECT coalesce(max(position), 0) FROM event_store.outbox) - coalesce((SELECT max(last_position) FROM event_store.relay_checkpoints), 0) AS behind`,
      );
      relayBacklog.push(Number(backlog.rows[0].behind));
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  })();
  return {
    sampleRss(pids: Record<string, number | undefined>) {
      for (const [service, pid] of Object.entries(pids)) rss[service] = Math.max(rss[service] ?? 0, rssMiB(pid));
    },
    async finish() {
      stopped = true;
      await loop;
      return { projectionLagMs: summarise(projectionLag, 1), relayBacklogMax: Math.max(0, ...relayBacklog), rssUnderLoadMiB: rss };
    },
  };
}

async function main(): Promise<void> {
  const started = Date.now();
  const stack = await startBenchStack(SERVICES, { SCIM_RATE_LIMIT_PER_SECOND: '100000' });
  const db = new Client({ connectionString: stack.databaseUrl });
  await db.connect();
  try {
    const pids = Object.fromEntries(Object.entries(stack.processes).map(([service, child]) => [service, child.child.pid]));
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const idleRss = Object.fromEntries(Object.entries(pids).map(([service, pid]) => [service, rssMiB(pid)]));

    progress(`baseline: ${USERS} raw single-row insert transactions at concurrency ${CONCURRENCY}`);
    const raw = await rawInsertRate(stack.databaseUrl, CONCURRENCY, USERS);
    progress(`baseline: ${USERS} Kafka messages produced and consumed at concurrency ${CONCURRENCY}`);
    const kafka = await kafkaRoundTrip(stack.brokers, USERS);

    const tenant = await createScimTenant(stack.urls['user-directory'], stack.urls['scim-ingest'], stack.databaseUrl);
    const scimBase = `${stack.urls['scim-ingest']}/scim/v2/${tenant.tenantId}`;
    const scim = async (method: string, path: string, body?: unknown) => {
      const { status, text } = await httpRequest(`${scimBase}${path}`, {
        method,
        headers: { authorization: `Bearer ${tenant.token}`, 'content-type': 'application/scim+json', 'user-agent': 'Azure AD SCIM bench' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      if (status < 200 || status > 299) throw new Error(`${method} ${path}: ${status} ${text.slice(0, 300)}`);
      return text ? (JSON.parse(text) as { id?: string; totalResults?: number }) : {};
    };

    const watcher = propagationWatcher(db);
    const lags = lagSampler(stack.urls, db);
    const pace = pacer();
    const users: { id: string; userName: string }[] = [];
    const phases: Record<string, Summary> = {};
    const phase = async (name: string, count: number, work: (index: number) => Promise<void>) => {
      progress(`${name}: ${count} requests at concurrency ${CONCURRENCY}${RATE > 0 ? `, ${RATE}/s` : ''}`);
      let done = 0;
      const ticker = setInterval(() => {
        process.stderr.write(`\rbench: ${name} ${done} of ${count}`);
        lags.sampleRss(pids);
      }, 1000);
      const run = await runConcurrently(count, CONCURRENCY, async (index) => {
        await pace();
        await work(index);
        done++;
      });
      clearInterval(ticker);
      process.stderr.write('\n');
      phases[name] = summarise(run.latencies, run.seconds);
    };

    await phase('create', USERS, async (index) => {
      const userName = `u${index}.${randomUUID().slice(0, 6)}@bench.example`;
      const created = await scim('POST', '/Users', benchUser(userName));
      watcher.acknowledged(created.id!);
      users[index] = { id: created.id!, userName };
    });
    await phase('filter by userName', USERS, async (index) => {
      const found = await scim('GET', `/Users?filter=${encodeURIComponent(`userName eq "${users[index].userName}"`)}`);
      if (found.totalResults !== 1) throw new Error(`filter found ${found.totalResults} for ${users[index].userName}`);
    });
    const half = Math.floor(USERS / 2);
    await phase('patch (default dialect)', half, async (index) => {
      await scim('PATCH', `/Users/${users[index].id}`, {
        schemas: [PATCH_OP],
        Operations: [
          { op: 'Replace', path: 'title', value: 'Senior Engineer' },
          { op: 'Replace', path: 'name.familyName', value: 'Changed' },
        ],
      });
    });
    await phase('patch (aadOptscim062020)', USERS - half, async (index) => {
      await scim('PATCH', `/Users/${users[half + index].id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { title: 'Lead', 'name.givenName': 'Changed' } }] });
    });
    const deactivations = Math.floor(USERS / 10);
    await phase('deactivate', deactivations, async (index) => {
      await scim('PATCH', `/Users/${users[index * 10].id}`, { schemas: [PATCH_OP], Operations: [{ op: 'Replace', path: 'active', value: 'False' }] });
    });

    progress('waiting for the read models to catch up');
    const propagation = await watcher.finish(120_000);
    const lag = await lags.finish();
    const propagationSummary = Object.fromEntries(Object.entries(propagation.latencies).map(([model, values]) => [model, summarise(values, 1)]));
    const rawSummary = summarise(raw.latencies, raw.seconds);
    const kafkaSummary = summarise(kafka.latencies, kafka.seconds);
    const result = {
      benchmark: 'system',
      at: new Date().toISOString(),
      machine: machine(),
      durationSeconds: round((Date.now() - started) / 1000, 1),
      users: USERS,
      concurrency: CONCURRENCY,
      rate: RATE,
      scim: phases,
      propagationMs: propagationSummary,
      propagationNeverSeen: propagation.unseen,
      projectionLagMs: lag.projectionLagMs,
      relayBacklogMax: lag.relayBacklogMax,
      rssMiB: { idle: idleRss, underLoad: lag.rssUnderLoadMiB },
      baselines: { rawInsert: rawSummary, kafkaRoundTrip: kafkaSummary },
      ratios: {
        createToRawInsert: round(phases.create.perSecond / rawSummary.perSecond, 3),
        propagationP50ToKafkaRoundTripP50: Object.fromEntries(Object.entries(propagationSummary).map(([model, summary]) => [model, round(summary.p50 / Math.max(kafkaSummary.p50, 0.001), 2)])),
      },
      targets: { createToRawInsert: 0.4, propagationP99Ms: 300, idleRssMiB: 150 },
    };
    const row = (name: string, summary: Summary) => `| ${name} | ${summary.perSecond} | ${summary.p50} | ${summary.p95} | ${summary.p99} |`;
    const markdown = [
      '# System benchmark',
      '',
      `${result.at} on ${result.machine.cpus} × ${result.machine.cpuModel} (${result.machine.memoryGiB} GiB). ${USERS} users, concurrency ${CONCURRENCY}${RATE > 0 ? `, ${RATE} requests/s` : ', unpaced'}. The load generator, six service processes, PostgreSQL and Kafka share the machine.`,
      '',
      '| SCIM operation | per second | p50 ms | p95 ms | p99 ms |',
      '|---|---|---|---|---|',
      ...Object.entries(phases).map(([name, summary]) => row(name, summary)),
      row('baseline: raw PostgreSQL insert', rawSummary),
      row('baseline: Kafka produce → consume', kafkaSummary),
      '',
      `SCIM create / raw insert: **${result.ratios.createToRawInsert}** (target 0.4).`,
      '',
      '| propagation of a create (from the 201) | p50 ms | p95 ms | p99 ms | p50 / Kafka round trip p50 |',
      '|---|---|---|---|---|',
      ...Object.entries(propagationSummary).map(([model, summary]) => `| ${model} read model | ${summary.p50} | ${summary.p95} | ${summary.p99} | ${result.ratios.propagationP50ToKafkaRoundTripP50[model]} |`),
      '',
      `Never seen within 2 minutes: ${propagation.unseen}. Projection lag samples: p50 ${lag.projectionLagMs.p50} ms, p99 ${lag.projectionLagMs.p99} ms. Largest relay backlog: ${lag.relayBacklogMax} messages.`,
      '',
      '| service | RSS idle MiB | RSS under load MiB |',
      '|---|---|---|',
      ...Object.keys(idleRss).map((service) => `| ${service} | ${idleRss[service]} | ${lag.rssUnderLoadMiB[service] ?? '-'} |`),
      '',
      '![SCIM latency](system-scim.svg) ![propagation](system-propagation.svg) ![memory](system-rss.svg)',
      '',
    ].join('\n');
    const files = writeReport(workspaceRoot, 'system', result, markdown, {
      'system-scim.svg': barChartSvg(`SCIM latency, ${USERS} users at concurrency ${CONCURRENCY}`, Object.keys(phases), [
        { label: 'p50', values: Object.values(phases).map((summary) => summary.p50) },
        { label: 'p95', values: Object.values(phases).map((summary) => summary.p95) },
        { label: 'p99', values: Object.values(phases).map((summary) => summary.p99) },
      ], 'ms'),
      'system-propagation.svg': barChartSvg('From the SCIM 201 to the read model', [...Object.keys(propagationSummary), 'Kafka round trip'], [
        { label: 'p50', values: [...Object.values(propagationSummary).map((summary) => summary.p50), kafkaSummary.p50] },
        { label: 'p95', values: [...Object.values(propagationSummary).map((summary) => summary.p95), kafkaSummary.p95] },
        { label: 'p99', values: [...Object.values(propagationSummary).map((summary) => summary.p99), kafkaSummary.p99] },
      ], 'ms'),
      'system-rss.svg': barChartSvg('Resident memory per service', Object.keys(idleRss), [
        { label: 'idle', values: Object.values(idleRss) },
        { label: 'under load', values: Object.keys(idleRss).map((service) => lag.rssUnderLoadMiB[service] ?? 0) },
      ], 'MiB'),
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
