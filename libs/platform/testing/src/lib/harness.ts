import { randomBytes } from 'node:crypto';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';

/**
 * The real-server test harness. `npm test` (tools/test/run-tests.mjs) makes sure PostgreSQL and a
 * Kafka broker run and exports where they are; each test file then gets a database and a Kafka
 * namespace of its own, so files can run in parallel without seeing each other.
 */
export function testRunId(): string {
  return process.env.TEST_RUN_ID ?? 'identity_test_adhoc';
}

export function postgresAdminUrl(): string {
  return process.env.TEST_POSTGRES_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
}

export function kafkaBrokers(): string[] {
  return (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',').map((broker) => broker.trim());
}

/**
 * The SASL_SSL listener of the test broker that tools/kafka/kafka.sh runs (the client port + 2):
 * TLS by a CA of its own, and one SASL PLAIN user.
 */
export function kafkaSecureListener(): { broker: string; caFile: string; username: string; password: string } {
  const [host, port] = kafkaBrokers()[0].split(':');
  const work = process.env.KAFKA_WORK ?? join(process.env.KAFKA_HOME_DIR ?? join(homedir(), '.cache', 'identity-platform', 'kafka'), 'work');
  return {
    broker: process.env.KAFKA_TEST_SECURE_BROKER ?? `${host}:${Number(port) + 2}`,
    caFile: process.env.KAFKA_TEST_CA_FILE ?? join(work, 'tls', 'ca.pem'),
    username: 'identity',
    password: 'identity-test-password',
  };
}

export function uniqueSuffix(): string {
  return randomBytes(5).toString('hex');
}

/** A fresh, empty database on the test server; its URL. The run drops it at the end. */
export async function createTestDatabase(): Promise<string> {
  return createDatabase(postgresAdminUrl(), `${testRunId()}_${uniqueSuffix()}`);
}

/** Creates an empty database on the server `adminUrl` points to; the new database's URL. */
export async function createDatabase(adminUrl: string, name: string): Promise<string> {
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

export const TEST_PLATFORM_TOKEN = 'test-platform-token-0123456789abcdef0123456789';

/** A Kafka namespace for one test file: `<run id>.<label>-<random>.`, deleted with the run. */
export function testNamespace(label: string): string {
  return `${testRunId()}.${label}-${uniqueSuffix()}.`;
}

/** The environment a service under test starts with: real PostgreSQL and Kafka, its own namespace. */
export function serviceEnv(databaseUrl: string, namespace: string, overrides: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    DATABASE_URL: databaseUrl,
    DATABASE_POOL_SIZE: '5',
    KAFKA_BROKERS: kafkaBrokers().join(','),
    KAFKA_NAMESPACE: namespace,
    // A test broker creates hundreds of topics per run; a few partitions each keep that quick.
    KAFKA_TOPIC_PARTITIONS: '2',
    PLATFORM_ADMIN_TOKEN: TEST_PLATFORM_TOKEN,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
    PORT: '0',
    ...overrides,
  };
}

/**
 * Drains a relay until `count` messages went out. The publishing horizon is the server's: under
 * the full suite another database's open transaction may hold one drain back for a moment.
 */
export async function drainUntilPublished(relay: { drainOnce(): Promise<number> }, count: number): Promise<void> {
  let published = 0;
  await eventually(async () => {
    published += await relay.drainOnce();
    if (published !== count) throw new Error(`${published} of ${count} messages published so far`);
  });
}

/** Retries an assertion until it passes or the time is up (then throws its last error). */
export async function eventually<T>(assertion: () => Promise<T> | T, { timeoutMs = 20_000, intervalMs = 50 } = {}): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await assertion();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  }
}
