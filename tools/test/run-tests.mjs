// `npm test`: the whole suite. Unit specs need nothing; integration specs run against real
// PostgreSQL and a real Kafka broker: the ones named by DATABASE_URL / KAFKA_BROKERS, or else the
// local PostgreSQL cluster and a broker this script starts from the project's own tooling.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const started = Date.now();
const say = (message) => process.stderr.write(`test: ${message} (${((Date.now() - started) / 1000).toFixed(0)} s)\n`);

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8', ...options });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed with exit ${result.status}`);
  return (result.stdout ?? "").trim();
}

const runId = `identity_test_${Date.now().toString(36)}`;
const adminUrl = process.env.DATABASE_URL ?? run('bash', ['tools/postgres/postgres.sh', 'ensure']);
say(`PostgreSQL answers; this run's databases are named ${runId}_*`);

let startedKafka = false;
let brokers = process.env.KAFKA_BROKERS;
if (!brokers) {
  const running = spawnSync('bash', ['tools/kafka/kafka.sh', 'status'], { cwd: root, stdio: 'ignore' }).status === 0;
  say(running ? 'reusing the local Kafka broker' : 'starting the local Kafka broker (the first run fetches its jars)');
  run('bash', ['tools/kafka/kafka.sh', 'start'], { stdio: ['ignore', 'inherit', 'inherit'] });
  startedKafka = !running;
  brokers = '127.0.0.1:9092';
}

say('building dist/ (integration tests start the built services as processes)');
run('node', ['tools/build/build.mjs'], { stdio: ['ignore', 'inherit', 'inherit'] });

const resultsFile = path.join(root, 'tmp', 'jest-results.json');
mkdirSync(path.dirname(resultsFile), { recursive: true });
rmSync(resultsFile, { force: true });
say('running Jest: unit and integration projects');
const jest = spawn(
  'npx',
  ['jest', '--ci', '--maxWorkers=2', '--json', `--outputFile=${resultsFile}`, ...process.argv.slice(2)],
  {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, TEST_RUN_ID: runId, TEST_POSTGRES_ADMIN_URL: adminUrl, KAFKA_BROKERS: brokers, KAFKAJS_NO_PARTITIONER_WARNING: '1' },
  },
);
const code = await new Promise((resolve) => jest.on('exit', (exitCode) => resolve(exitCode ?? 1)));

spawnSync('node', ['tools/kafka/delete-topics.cjs', runId, brokers], { cwd: root, stdio: 'inherit' });
spawnSync('bash', ['tools/postgres/postgres.sh', 'drop-prefix', runId], { cwd: root, stdio: 'inherit', env: { ...process.env, POSTGRES_ADMIN_URL: adminUrl } });
if (startedKafka) spawnSync('bash', ['tools/kafka/kafka.sh', 'stop'], { cwd: root, stdio: 'inherit' });

try {
  const results = JSON.parse(readFileSync(resultsFile, 'utf8'));
  // A suite that fails to load counts as a failure even though none of its tests ran.
  const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
  process.stdout.write(`\ntests: ${results.numPassedTests} passed, ${failed} failed\n`);
  if (results.numTotalTests === 0) {
    process.stderr.write('test: no test ran\n');
    process.exit(1);
  }
} catch {
  process.stderr.write('test: Jest wrote no results\n');
  process.exit(code || 1);
}
say(`done, exit ${code}`);
process.exit(code);
