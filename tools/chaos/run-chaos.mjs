// `npm run chaos`: the fault-injection suite. It kills and stalls PostgreSQL and Kafka, so it runs
// them privately (its own PostgreSQL cluster in a temporary directory and its own KRaft broker on
// other ports): nothing else on the machine, a developer's `npm test` included, is disturbed.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const started = Date.now();
const say = (message) => process.stderr.write(`chaos: ${message} (${((Date.now() - started) / 1000).toFixed(0)} s)\n`);

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8', ...options });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed with exit ${result.status}`);
  return (result.stdout ?? '').trim();
}

function postgresBin() {
  if (process.env.CHAOS_PG_BIN) return process.env.CHAOS_PG_BIN;
  const base = '/usr/lib/postgresql';
  const version = existsSync(base) ? readdirSync(base).sort((a, b) => Number(a) - Number(b)).at(-1) : undefined;
  if (!version) throw new Error('no PostgreSQL binaries under /usr/lib/postgresql (set CHAOS_PG_BIN to the folder holding initdb and pg_ctl)');
  return path.join(base, version, 'bin');
}

const runId = `identity_chaos_${Date.now().toString(36)}`;
const pgPort = process.env.CHAOS_PG_PORT ?? '55432';
const kafkaPort = process.env.CHAOS_KAFKA_PORT ?? '19092';
const kafkaControllerPort = process.env.CHAOS_KAFKA_CONTROLLER_PORT ?? '19093';
const pgBin = postgresBin();
const pgData = mkdtempSync(path.join(os.tmpdir(), 'identity-chaos-pg-'));
// initdb and the server refuse to run as root; the cluster then belongs to the postgres account.
const asPostgres = process.getuid?.() === 0 ? ['runuser', '-u', 'postgres', '--'] : [];
const pgCommand = (args) => [...asPostgres, ...args];
const pg = (args) => {
  const [command, ...rest] = pgCommand(args);
  return run(command, rest);
};
const kafkaEnv = {
  ...process.env,
  KAFKA_PORT: kafkaPort,
  KAFKA_CONTROLLER_PORT: kafkaControllerPort,
  KAFKA_WORK: path.join(os.homedir(), '.cache/identity-platform/kafka/chaos-work'),
};

let code = 1;
let pgStarted = false;
let kafkaStarted = false;
let jest;
// Ctrl-C or a CI timeout: stop Jest (whose afterEach stops the services), then clean up below.
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => jest?.kill(signal));
try {
  say(`initialising a private PostgreSQL cluster in ${pgData} on 127.0.0.1:${pgPort}`);
  if (asPostgres.length) spawnSync('chown', ['postgres', pgData]);
  chmodSync(pgData, 0o700);
  pg([path.join(pgBin, 'initdb'), '-D', pgData, '-U', 'postgres', '-A', 'trust', '--no-sync', '-E', 'UTF8']);
  const pgOptions = `-p ${pgPort} -k ${pgData} -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=off`;
  pg([path.join(pgBin, 'pg_ctl'), '-D', pgData, '-o', pgOptions, '-l', path.join(pgData, 'server.log'), '-w', 'start']);
  pgStarted = true;

  say(`starting a private Kafka broker on 127.0.0.1:${kafkaPort}`);
  run('bash', ['tools/kafka/kafka.sh', 'start'], { env: kafkaEnv, stdio: ['ignore', 'inherit', 'inherit'] });
  kafkaStarted = true;

  say('building dist/ (the suite starts the built services as processes)');
  run('node', ['tools/build/build.mjs'], { stdio: ['ignore', 'inherit', 'inherit'] });

  const resultsDirectory = path.join(root, 'tmp');
  mkdirSync(resultsDirectory, { recursive: true });
  say('running the chaos scenarios');
  // --forceExit: a scenario that fails half-way may leave a Kafka client retrying; the run must still end.
  jest = spawn('npx', ['jest', '--ci', '--selectProjects', 'chaos', '--runInBand', '--forceExit', ...process.argv.slice(2)], {
    cwd: root,
    stdio: 'inherit',
    env: {
      ...process.env,
      CHAOS: '1',
      CHAOS_RUN_ID: runId,
      KAFKAJS_NO_PARTITIONER_WARNING: '1',
      DATABASE_URL: `postgres://postgres@127.0.0.1:${pgPort}/postgres`,
      KAFKA_BROKERS: `127.0.0.1:${kafkaPort}`,
      CHAOS_PG_CTL: JSON.stringify(pgCommand([path.join(pgBin, 'pg_ctl'), '-D', pgData, '-o', pgOptions, '-l', path.join(pgData, 'server.log'), '-w'])),
      CHAOS_KAFKA_ENV: JSON.stringify({ KAFKA_PORT: kafkaPort, KAFKA_CONTROLLER_PORT: kafkaControllerPort, KAFKA_WORK: kafkaEnv.KAFKA_WORK }),
    },
  });
  code = await new Promise((resolve) => jest.on('exit', (exitCode) => resolve(exitCode ?? 1)));
} catch (error) {
  say(`failed: ${error instanceof Error ? error.message : String(error)}`);
} finally {
  // Services of a scenario whose clean-up never ran (Jest killed): found by this run's namespace.
  for (const pid of readdirSync('/proc').filter((entry) => /^\d+$/.test(entry))) {
    try {
      if (readFileSync(`/proc/${pid}/environ`, 'utf8').includes(`KAFKA_NAMESPACE=${runId}`)) process.kill(Number(pid), 'SIGKILL');
    } catch {
      // gone already, or not ours to read
    }
  }
  // The broker's and PostgreSQL's own logs go beside the services' (tmp/chaos-logs) before both are wiped.
  const logs = path.join(root, 'tmp', 'chaos-logs');
  mkdirSync(logs, { recursive: true });
  for (const [from, to] of [[path.join(kafkaEnv.KAFKA_WORK, 'logs', 'server.log'), 'kafka-server.log'], [path.join(pgData, 'server.log'), 'postgresql.log']]) {
    if (existsSync(from)) copyFileSync(from, path.join(logs, to));
  }
  // The broker's data is only this run's topics: wiping it keeps reruns from starting on a stale log.
  if (kafkaStarted || existsSync(kafkaEnv.KAFKA_WORK)) spawnSync('bash', ['tools/kafka/kafka.sh', 'reset'], { cwd: root, env: kafkaEnv, stdio: ['ignore', 'ignore', 'inherit'] });
  if (pgStarted) {
    const [command, ...rest] = pgCommand([path.join(pgBin, 'pg_ctl'), '-D', pgData, '-m', 'immediate', 'stop']);
    spawnSync(command, rest, { stdio: 'ignore' });
  }
  rmSync(pgData, { recursive: true, force: true });
  say(`done, exit ${code}`);
}
process.exit(code);
