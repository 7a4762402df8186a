import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { freePort } from '@identity/platform-service';
import { createDatabase, startServiceProcess, waitForHttp, type ServiceProcess } from '@identity/platform-testing';

export const workspaceRoot = path.resolve(__dirname, '../..');
export const CHAOS_PLATFORM_TOKEN = 'chaos-platform-token-0123456789abcdef0123456789';

export function progress(message: string): void {
  process.stderr.write(`chaos: ${new Date().toISOString().slice(11, 19)} ${message}\n`);
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the suite with \`npm run chaos\`, which starts the private PostgreSQL and Kafka it breaks`);
  return value;
}

/**
 * The production shape (one process per service) on the private PostgreSQL and Kafka that
 * run-chaos.mjs started, with what a fault needs: a service restarted on its own port and env,
 * the broker killed, stalled and restarted, PostgreSQL restarted.
 */
export interface ChaosStack {
  databaseUrl: string;
  urls: Record<string, string>;
  processes: Record<string, ServiceProcess>;
  /** SIGKILL, `downMs` with nothing running, then a new process with the same port and environment, ready. */
  killAndRestart(services: readonly string[], downMs?: number): Promise<void>;
  kafka: { pid(): number; start(): Promise<void> };
  restartPostgres(): Promise<void>;
  stop(): Promise<void>;
}

export async function startChaosStack(services: readonly string[], extraEnv: Record<string, string> = {}): Promise<ChaosStack> {
  const adminUrl = required('DATABASE_URL');
  const brokers = required('KAFKA_BROKERS');
  const pgCtl = JSON.parse(required('CHAOS_PG_CTL')) as string[];
  const kafkaEnv = { ...process.env, ...(JSON.parse(required('CHAOS_KAFKA_ENV')) as Record<string, string>) };
  // The run id prefixes every database and namespace, so run-chaos.mjs can find what a killed run left.
  const name = `${process.env.CHAOS_RUN_ID ?? 'identity_chaos'}_${Date.now().toString(36)}`;
  const databaseUrl = await createDatabase(adminUrl, name);

  const processes: Record<string, ServiceProcess> = {};
  const urls: Record<string, string> = {};
  const envs: Record<string, NodeJS.ProcessEnv> = {};
  const launch = async (service: string) => {
    const child = startServiceProcess(`dist/apps/${service}/src/main.js`, envs[service]);
    const started = Date.now();
    processes[service] = child;
    await waitForHttp(`${urls[service]}/health/ready`, 200, 90_000, child);
    progress(`${service} ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  };
  const stop = async () => {
    for (const child of Object.values(processes).reverse()) await child.stop();
    const cleanup = new Client({ connectionString: adminUrl });
    await cleanup.connect();
    await cleanup.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await cleanup.end();
    execFileSync('node', ['tools/kafka/delete-topics.cjs', name, brokers], { cwd: workspaceRoot, stdio: 'ignore' });
  };
  // One after the other: the first runs the migrations, the others find them done.
  for (const service of services) {
    const port = await freePort();
    urls[service] = `http://127.0.0.1:${port}`;
    envs[service] = {
      PATH: process.env.PATH,
      DATABASE_URL: databaseUrl,
      KAFKA_BROKERS: brokers,
      KAFKA_NAMESPACE: `${name}.`,
      PLATFORM_ADMIN_TOKEN: CHAOS_PLATFORM_TOKEN,
      PORT: String(port),
      LOG_LEVEL: 'warn',
      PUBLIC_BASE_URL: urls[service],
      ...extraEnv,
    };
    progress(`starting ${service} on port ${port}`);
    try {
      await launch(service);
    } catch (error) {
      await stop();
      throw error;
    }
  }

  // Asynchronous: the load keeps running while the broker or PostgreSQL comes back.
  const run = promisify(execFile);
  return {
    databaseUrl,
    urls,
    processes,
    killAndRestart: async (names, downMs = 0) => {
      await Promise.all(names.map((service) => processes[service].kill()));
      await sleep(downMs);
      await Promise.all(names.map(launch));
    },
    kafka: {
      // The broker's own pid, as kafka.sh records it: the JVM, not a wrapper shell.
      pid: () => Number(readFileSync(path.join(kafkaEnv.KAFKA_WORK!, 'kafka.pid'), 'utf8').trim()),
      start: async () => {
        await run('bash', ['tools/kafka/kafka.sh', 'start'], { cwd: workspaceRoot, env: kafkaEnv });
      },
    },
    restartPostgres: async () => {
      const [command, ...args] = pgCtl;
      await run(command, [...args, '-m', 'fast', 'restart']);
    },
    stop,
  };
}
