import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Pool } from 'pg';
import { CHAOS_PLATFORM_TOKEN, progress, sleep, startChaosStack, workspaceRoot, type ChaosStack } from './chaos-stack';
import { createScimTenant } from '../bench/bench-tenant';
import { runProvisioning, type LoadStats } from './provisioning-load';
import { eventStoreProblems, fingerprints, rebuildUserReadModels, waitForConvergence } from './read-models';

const USERS = Number(process.env.CHAOS_USERS ?? 5000);
const CONCURRENCY = Number(process.env.CHAOS_CONCURRENCY ?? 16);
const CONVERGENCE_LIMIT_MS = Number(process.env.CHAOS_CONVERGENCE_SECONDS ?? 10) * 1000;
const LOAD_BUDGET_MS = Number(process.env.CHAOS_LOAD_SECONDS ?? 240) * 1000;
const REQUEST_BUDGET_MS = Number(process.env.CHAOS_REQUEST_SECONDS ?? 90) * 1000;
// The fault starts once this share of the creates is acknowledged: the run is well in flight.
const FAULT_AT = 0.25;
const SERVICES = ['user-directory', 'scim-ingest', 'licensing', 'saml-auth', 'event-relay'];

interface Scenario {
  name: string;
  /** Breaks something and resolves once it is repaired (the moment recovery is measured from). */
  inject(stack: ChaosStack): Promise<void>;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const scenarios: Scenario[] = [
  { name: 'kill -9 scim-ingest and user-directory', inject: (stack) => stack.killAndRestart(['scim-ingest', 'user-directory']) },
  { name: 'kill -9 the relay', inject: (stack) => stack.killAndRestart(['event-relay'], 5_000) },
  {
    name: 'kill -9 the Kafka broker',
    inject: async (stack) => {
      const pid = stack.kafka.pid();
      process.kill(pid, 'SIGKILL');
      while (pidAlive(pid)) await sleep(50);
      await sleep(5_000);
      await stack.kafka.start();
    },
  },
  { name: 'restart PostgreSQL', inject: (stack) => stack.restartPostgres() },
  {
    name: 'stall Kafka for 30 seconds',
    inject: async (stack) => {
      const pid = stack.kafka.pid();
      process.kill(pid, 'SIGSTOP');
      try {
        await sleep(30_000);
      } finally {
        process.kill(pid, 'SIGCONT');
      }
    },
  },
];

const results: Record<string, unknown>[] = [];

// Starting five services and a run of thousands of requests take minutes, hooks included.
jest.setTimeout(420_000);

describe(`chaos: ${USERS} users provisioned over SCIM while something breaks`, () => {
  let running: { stack: ChaosStack; pool: Pool } | undefined;

  beforeEach(async () => {
    // A stack per scenario: no backlog or damage carries over, and each rebuild replays one run.
    const stack = await startChaosStack(SERVICES);
    const pool = new Pool({ connectionString: stack.databaseUrl, max: 2 });
    // PostgreSQL restarts under this pool too: an idle client's error must not end the test run.
    pool.on('error', () => undefined);
    running = { stack, pool };
  });

  afterEach(async () => {
    const stopping = running;
    running = undefined;
    await stopping?.pool.end();
    await stopping?.stack.stop();
  });

  afterAll(() => {
    const file = path.join(workspaceRoot, 'tmp', 'chaos-results.json');
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
    progress(`results in ${path.relative(workspaceRoot, file)}`);
  });

  it.each(scenarios.map((scenario) => [scenario.name, scenario] as const))('%s', async (name, scenario) => {
    const { stack, pool } = running!;
    const started = Date.now();
    const tenant = await createScimTenant(stack.urls['user-directory'], stack.urls['scim-ingest'], stack.databaseUrl, CHAOS_PLATFORM_TOKEN, 'Chaos');
    progress(`[${name}] provisioning ${USERS} users at concurrency ${CONCURRENCY}`);

    let acknowledged = 0;
    let loadEnded = false;
    let triggered!: () => void;
    const trigger = new Promise<void>((resolve) => (triggered = resolve));
    let fault: { startedAt: number; acknowledgedBefore: number; loadEndedBefore: boolean; repairedAt?: number } | undefined;
    const faultDone = trigger.then(async () => {
      fault = { startedAt: Date.now(), acknowledgedBefore: acknowledged, loadEndedBefore: loadEnded };
      progress(`[${name}] fault injected after ${acknowledged} acknowledged creates`);
      await scenario.inject(stack);
      fault.repairedAt = Date.now();
      progress(`[${name}] repaired after ${((fault.repairedAt - fault.startedAt) / 1000).toFixed(1)} s`);
    });
    const ticker = setInterval(() => progress(`[${name}] ${acknowledged}/${USERS} creates acknowledged`), 10_000);
    const load = await runProvisioning(stack.urls['scim-ingest'], tenant, {
      users: USERS,
      concurrency: CONCURRENCY,
      deactivateEvery: 10,
      deadline: Date.now() + LOAD_BUDGET_MS,
      requestBudgetMs: REQUEST_BUDGET_MS,
      onAcknowledged: (count) => {
        acknowledged = count;
        if (count >= USERS * FAULT_AT) triggered();
      },
    }).finally(() => {
      loadEnded = true;
      clearInterval(ticker);
      triggered();
    });
    const loadEndedAt = Date.now();
    await faultDone;
    const recoveredAt = Math.max(loadEndedAt, fault!.repairedAt!);
    progress(`[${name}] load done in ${((loadEndedAt - started) / 1000).toFixed(1)} s: ${summary(load.stats)}`);

    const convergence = await waitForConvergence(pool, tenant.tenantId, load.users, recoveredAt, Math.max(60_000, 3 * CONVERGENCE_LIMIT_MS));
    progress(`[${name}] read models ${convergence.convergedAfterMs === undefined ? 'did NOT converge' : `converged ${(convergence.convergedAfterMs / 1000).toFixed(1)} s after recovery`} (${Object.entries(convergence.perModelMs).map(([table, ms]) => `${table} ${(ms / 1000).toFixed(1)} s`).join(', ')})`);
    const eventStore = await eventStoreProblems(pool, tenant.tenantId, load.users);
    const live = await fingerprints(pool);
    rebuildUserReadModels(stack.databaseUrl);
    const rebuilt = await fingerprints(pool);
    // The services' own errors (the Kafka client's complaints during a broker outage are expected noise).
    const serviceErrors = Object.entries(stack.processes).flatMap(([service, child]) =>
      child
        .output()
        .split('\n')
        .filter((line) => /"level":"(error|fatal)"/.test(line) && !line.includes('"logger":"kafkajs"'))
        .slice(0, 3)
        .map((line) => `${service}: ${line}`),
    );

    const logDirectory = path.join(workspaceRoot, 'tmp', 'chaos-logs', name.replace(/[^a-z0-9]+/gi, '-'));
    mkdirSync(logDirectory, { recursive: true });
    for (const [service, child] of Object.entries(stack.processes)) writeFileSync(path.join(logDirectory, `${service}.log`), child.output());

    const failed: string[] = [];
    const check = (ok: boolean, message: string) => ok || failed.push(message);
    check(fault !== undefined && !fault.loadEndedBefore, `the fault must start while the run is in flight (it started after ${fault?.acknowledgedBefore} of ${USERS} creates, load ended: ${fault?.loadEndedBefore})`);
    check(load.stats.violations.length === 0, `${load.stats.violations.length} answers were neither 2xx nor 503/429 with Retry-After, e.g. ${JSON.stringify(load.stats.violations.slice(0, 3))}; first service error: ${serviceErrors[0]?.slice(0, 1500) ?? 'none logged'}`);
    check(load.stats.unresolved.length === 0, `${load.stats.unresolved.length} requests never succeeded on retry, e.g. ${load.stats.unresolved.slice(0, 5).join('; ')}`);
    check(load.users.length === USERS, `only ${load.users.length} of ${USERS} creates were acknowledged`);
    check(eventStore.length === 0, `event store does not hold the acknowledged users once with their last state: ${eventStore.slice(0, 5).join('; ')}`);
    check(
      convergence.convergedAfterMs !== undefined && convergence.convergedAfterMs <= CONVERGENCE_LIMIT_MS,
      convergence.convergedAfterMs === undefined
        ? `read models did not converge at all: ${JSON.stringify(convergence.lastProblems)}`
        : `read models converged ${(convergence.convergedAfterMs / 1000).toFixed(1)} s after recovery, over the ${CONVERGENCE_LIMIT_MS / 1000} s limit`,
    );
    for (const [table, fingerprint] of Object.entries(live)) {
      check(
        fingerprint.rows === rebuilt[table].rows && fingerprint.checksum === rebuilt[table].checksum,
        `${table} differs from its rebuild from the event store: ${fingerprint.rows} rows (md5 ${fingerprint.checksum}) live, ${rebuilt[table].rows} rows (md5 ${rebuilt[table].checksum}) rebuilt`,
      );
    }

    results.push({
      scenario: name,
      users: USERS,
      concurrency: CONCURRENCY,
      durationSeconds: (Date.now() - started) / 1000,
      fault: fault && { acknowledgedBefore: fault.acknowledgedBefore, repairSeconds: (fault.repairedAt! - fault.startedAt) / 1000 },
      loadSeconds: (loadEndedAt - started) / 1000,
      stats: load.stats,
      convergenceSeconds: convergence.convergedAfterMs === undefined ? null : convergence.convergedAfterMs / 1000,
      convergenceSecondsPerReadModel: Object.fromEntries(Object.entries(convergence.perModelMs).map(([table, ms]) => [table, ms / 1000])),
      readModels: live,
      serviceErrors,
      failed,
    });
    progress(`[${name}] ${failed.length === 0 ? 'passed' : `FAILED: ${failed.length} checks`} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
    expect(failed).toEqual([]);
  });
});

function summary(stats: LoadStats): string {
  const failures = Object.entries(stats.failures).map(([status, count]) => `${count}×${status}`).join(', ') || 'none';
  return `${stats.requests} requests, ${stats.succeeded} succeeded, failures ${failures}, ${stats.retried} retries, ${stats.recoveredAfterLostAnswer} lost answers recovered, ${stats.violations.length} violations`;
}
