import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { Client, Pool } from 'pg';
import { freePort } from '@identity/platform-service';
import { createDatabase, startServiceProcess, waitForHttp, type ServiceProcess } from '@identity/platform-testing';
import { progress, runConcurrently } from './bench-report';

export const workspaceRoot = path.resolve(__dirname, '../../..'); // dist/tools/bench → the workspace
export const BENCH_PLATFORM_TOKEN = 'bench-platform-token-0123456789abcdef0123456789';

export interface BenchStack {
  databaseUrl: string;
  brokers: string;
  urls: Record<string, string>;
  processes: Record<string, ServiceProcess>;
  stop(): Promise<void>;
}

/**
 * The production shape on this machine: one process per service, real PostgreSQL (a fresh
 * database) and a real Kafka broker (started from the project's tooling unless KAFKA_BROKERS is set).
 * BENCH_NODE_ARGS passes flags to the service processes (`--cpu-prof --cpu-prof-dir=/tmp/profiles`).
 */
export async function startBenchStack(services: readonly string[], extraEnv: Record<string, string> = {}): Promise<BenchStack> {
  const adminUrl = process.env.DATABASE_URL ?? execFileSync('bash', ['tools/postgres/postgres.sh', 'ensure'], { cwd: workspaceRoot, encoding: 'utf8' }).trim();
  const name = `identity_bench_${Date.now().toString(36)}`;
  const databaseUrl = await createDatabase(adminUrl, name);
  let startedKafka = false;
  let brokers = process.env.KAFKA_BROKERS;
  if (!brokers) {
    const running = (() => {
      try {
        execFileSync('bash', ['tools/kafka/kafka.sh', 'status'], { cwd: workspaceRoot, stdio: 'ignore' });
        return true;
      } catch {
        return false;
      }
    })();
    if (!running) progress('starting the local Kafka broker');
    execFileSync('bash', ['tools/kafka/kafka.sh', 'start'], { cwd: workspaceRoot, stdio: ['ignore', 'ignore', 'inherit'] });
    startedKafka = !running;
    brokers = '127.0.0.1:9092';
  }
  const processes: Record<string, ServiceProcess> = {};
  const urls: Record<string, string> = {};
  // One after the other: the first runs the migrations, the others find them done.
  for (const service of services) {
    const port = await freePort();
    progress(`starting ${service} on port ${port}`);
    const child = startServiceProcess(`dist/apps/${service}/src/main.js`, {
      PATH: process.env.PATH,
      DATABASE_URL: databaseUrl,
      KAFKA_BROKERS: brokers,
      KAFKA_NAMESPACE: `${name}.`,
      PLATFORM_ADMIN_TOKEN: BENCH_PLATFORM_TOKEN,
      PORT: String(port),
      LOG_LEVEL: 'warn',
      PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
      // Every sign-in of a benchmark comes from this one address.
      SSO_RATE_LIMIT_PER_SECOND: '100000',
      ...extraEnv,
    }, (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean));
    await waitForHttp(`http://127.0.0.1:${port}/health/ready`, 200, 90_000, child);
    processes[service] = child;
    urls[service] = `http://127.0.0.1:${port}`;
  }
  return {
    databaseUrl,
    brokers,
    urls,
    processes,
    stop: async () => {
      for (const child of Object.values(processes).reverse()) await child.stop();
      const cleanup = new Client({ connectionString: adminUrl });
      await cleanup.connect();
      await cleanup.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await cleanup.end();
      execFileSync('node', ['tools/kafka/delete-topics.cjs', name, brokers!], { cwd: workspaceRoot, stdio: 'ignore' });
      if (startedKafka) execFileSync('bash', ['tools/kafka/kafka.sh', 'stop'], { cwd: workspaceRoot, stdio: 'ignore' });
    },
  };
}

/** The raw PostgreSQL rate of single-row insert transactions (an events-shaped row) at a concurrency. */
export async function rawInsertRate(databaseUrl: string, concurrency: number, total: number) {
  const pool = new Pool({ connectionString: databaseUrl, max: concurrency });
  await pool.query(`CREATE TABLE IF NOT EXISTS bench_raw_inserts (
    id bigserial PRIMARY KEY, tx xid8 NOT NULL DEFAULT pg_current_xact_id(), stream_id text NOT NULL, version int NOT NULL,
    event_id uuid NOT NULL, data jsonb NOT NULL, at timestamptz NOT NULL DEFAULT now())`);
  const payload = JSON.stringify({ userName: 'someone@contoso.com', profile: { givenName: 'Some', familyName: 'One', title: 'Engineer' } });
  const result = await runConcurrently(total, concurrency, async (index) => {
    await pool.query(`INSERT INTO bench_raw_inserts (stream_id, version, event_id, data) VALUES ($1, 1, gen_random_uuid(), $2)`, [`user-${index}`, payload]);
  });
  await pool.end();
  return result;
}
