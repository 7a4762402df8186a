import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import express, { type Request, type Response } from 'express';
import { InProcessMessageBus } from '@identity/platform-messaging';
import { returnedRows } from '@identity/platform-event-store';
import { CONSUMER_RETRY, keepConnectionsLongerThanClients, OUTBOX_RELAY_NAME, PathRouter, startService, type RunningService } from '@identity/platform-service';
import type { DataSource } from 'typeorm';
import { startEmbeddedDatabase } from './embedded-database';
import { SERVICES } from './service-catalog';

/** `npm start`: every service in one process, on embedded PostgreSQL and an in-process bus, behind one port. */
async function main(): Promise<void> {
  const started = Date.now();
  const dataDir = path.resolve(process.env.EMBEDDED_DATA_DIR ?? '.data');
  const port = Number(process.env.PORT ?? 3000);
  const baseUrl = process.env.PUBLIC_BASE_URL ?? `http://localhost:${port}`;
  await mkdir(dataDir, { recursive: true });
  const platformToken = await platformTokenIn(dataDir, process.env.PLATFORM_ADMIN_TOKEN);

  log(`starting embedded PostgreSQL in ${path.join(dataDir, 'pglite')}`);
  const database = await startEmbeddedDatabase(path.join(dataDir, 'pglite'));
  // Operators' tools (projections rebuild) find the embedded database through this file.
  await writeFile(path.join(dataDir, 'database-url'), `${database.url}\n`, { mode: 0o600 });
  const bus = new InProcessMessageBus(CONSUMER_RETRY);
  const env = {
    ...process.env,
    DATABASE_URL: database.url,
    DATABASE_POOL_SIZE: '2',
    DATABASE_PREPARED_STATEMENTS: 'false',
    // Every connection shares PGlite's one session: a timeout ending "a session" would end them all.
    DATABASE_STATEMENT_TIMEOUT_MS: '0',
    DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS: '0',
    KAFKA_BROKERS: 'in-process',
    PLATFORM_ADMIN_TOKEN: platformToken,
    PUBLIC_BASE_URL: baseUrl,
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
  };
  const services: RunningService[] = [];
  // One after the other: PGlite is a single session, so migrations must not interleave.
  for (const definition of SERVICES) {
    if (definition.runsRelay && services.length > 0) await republishUndelivered(services[0].infrastructure.dataSource);
    log(`starting ${definition.name}`);
    services.push(await startService(definition, { env, bus, listen: false, collectProcessMetrics: services.length === 0 }));
  }
  const deliveredKeeper = setInterval(() => void recordDelivered(services[0].infrastructure.dataSource, bus).catch(() => undefined), 1_000);
  deliveredKeeper.unref();

  const server = express();
  server.disable('x-powered-by');
  server.get('/health/live', (_request, response) => void response.json({ status: 'live' }));
  // A newcomer opening the bare URL lands in the admin console.
  server.get('/', (_request, response) => response.redirect(302, '/console'));
  server.get('/health/ready', async (_request, response) => {
    const states = await Promise.all(services.map(async (service) => [service.definition.name, await service.infrastructure.checks()] as const));
    const ready = states.every(([, checks]) => Object.values(checks).every((state) => state === 'up'));
    response.status(ready ? 200 : 503).json({
      status: ready ? 'ready' : 'not-ready',
      services: Object.fromEntries(states.map(([name, checks]) => [name, checks])),
    });
  });
  for (const service of services) {
    // Each service's own health and metrics, under its name.
    server.use(`/${service.definition.name}`, service.handler);
  }
  const router = new PathRouter(services.flatMap((service) => service.definition.publicPrefixes.map((prefix) => ({ prefix, target: service }))));
  server.use((request: Request, response: Response, next) => {
    const service = router.match(request.path);
    if (service) return service.handler(request, response, next);
    response.status(404).type('application/problem+json').json({ type: 'about:blank', status: 404, title: 'Not Found', detail: `no service answers ${request.path}` });
  });
  const http = server.listen(port, process.env.HOST ?? '127.0.0.1');
  keepConnectionsLongerThanClients(http);
  await new Promise<void>((resolve, reject) => http.once('listening', resolve).once('error', reject));

  process.stdout.write(
    [
      '',
      `Identity platform (embedded) is up in ${((Date.now() - started) / 1000).toFixed(1)} s at ${baseUrl}`,
      `  admin console    ${baseUrl}/console`,
      `  employee sign-in ${baseUrl}/sso/login`,
      `  readiness        ${baseUrl}/health/ready`,
      `  admin API        ${baseUrl}/api/v1/tenants`,
      `  SCIM 2.0         ${baseUrl}/scim/v2/{tenantId}`,
      `  SAML ACS / SP    ${baseUrl}/saml2`,
      `  platform admin token: ${platformToken}`,
      `  (kept in ${path.join(dataDir, 'platform-admin-token')}; try: npm run cli -- tenant create --name "Contoso")`,
      '',
    ].join('\n'),
  );

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    log('stopping');
    // Requests in flight finish (and commit) before the last events are delivered.
    const closed = new Promise((resolve) => http.close(resolve));
    const idleAfter = setTimeout(() => http.closeAllConnections(), 5_000);
    await closed;
    clearTimeout(idleAfter);
    clearInterval(deliveredKeeper);
    await deliverInFlight(services, bus);
    await recordDelivered(services[0].infrastructure.dataSource, bus).catch(() => undefined);
    for (const service of [...services].reverse()) await service.stop();
    await bus.disconnect();
    await database.stop();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}

/** The operators' token for this data directory: made once, readable by its owner only. */
/**
 * The platform token: PLATFORM_ADMIN_TOKEN when set, else the one an earlier start made. Kept in the
 * data directory (owner-only) either way, where the CLI finds it, so that a token from an earlier
 * start never stands in for the one given now.
 */
async function platformTokenIn(dataDir: string, given: string | undefined): Promise<string> {
  const file = path.join(dataDir, 'platform-admin-token');
  if (!given && existsSync(file)) return (await readFile(file, 'utf8')).trim();
  const token = given ?? `ipp_${randomBytes(32).toString('base64url')}`;
  await writeFile(file, `${token}\n`, { mode: 0o600 });
  await chmod(file, 0o600);
  return token;
}

function log(message: string): void {
  process.stderr.write(`embedded: ${message}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`embedded: failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});

/** A second checkpoint beside the relay's: how far every consumer has handled what the relay published. */
const DELIVERED = 'in-process-delivered';

/**
 * The in-process bus loses what it holds when the process dies (kill -9, a crash): what the relay
 * published past the last point every consumer had handled is published again at the next start.
 * Consumers are idempotent, so what they had handled of it changes nothing.
 */
async function republishUndelivered(dataSource: DataSource): Promise<void> {
  const rewound = returnedRows<{ last_position: string }>(
    await dataSource.query(
      `UPDATE event_store.relay_checkpoints r SET last_transaction_id = d.last_transaction_id, last_position = d.last_position, updated_at = now()
         FROM event_store.relay_checkpoints d
        WHERE r.relay = $1 AND d.relay = $2 AND (d.last_transaction_id, d.last_position) < (r.last_transaction_id, r.last_position)
       RETURNING r.last_position::text`,
      [OUTBOX_RELAY_NAME, DELIVERED],
    ),
  );
  if (rewound.length > 0) log(`publishing again what the last run published but did not deliver (from outbox position ${rewound[0].last_position})`);
  // A run that died before every consumer was first idle recorded no delivered point: all of it again.
  const restarted = returnedRows<{ relay: string }>(
    await dataSource.query(
      `UPDATE event_store.relay_checkpoints SET last_transaction_id = '0'::xid8, last_position = 0, updated_at = now()
        WHERE relay = $1 AND NOT EXISTS (SELECT 1 FROM event_store.relay_checkpoints WHERE relay = $2)
       RETURNING relay`,
      [OUTBOX_RELAY_NAME, DELIVERED],
    ),
  );
  if (restarted.length > 0) log('publishing again everything in the outbox: the last run recorded no point every consumer had handled');
}

/** Moves the delivered checkpoint to the relay's, when every consumer has handled all it published. */
async function recordDelivered(dataSource: DataSource, bus: InProcessMessageBus): Promise<void> {
  // Read first: whatever the relay had published by then is handled if the bus is idle after.
  const [published] = (await dataSource.query(`SELECT last_transaction_id::text AS transaction_id, last_position::text AS position FROM event_store.relay_checkpoints WHERE relay = $1`, [
    OUTBOX_RELAY_NAME,
  ])) as { transaction_id: string; position: string }[];
  if (!published || !bus.idle()) return;
  await dataSource.query(
    `INSERT INTO event_store.relay_checkpoints (relay, last_transaction_id, last_position, published_total) VALUES ($1, $2::xid8, $3, 0)
     ON CONFLICT (relay) DO UPDATE SET last_transaction_id = excluded.last_transaction_id, last_position = excluded.last_position, updated_at = now()`,
    [DELIVERED, published.transaction_id, published.position],
  );
}

/**
 * The in-process bus keeps its messages in memory: before anything stops, the relay publishes what
 * was committed and every consumer handles it, or the read models would never see those events.
 * Quiet twice in a row, since a reaction may write more. Bounded, like any shutdown.
 */
async function deliverInFlight(services: readonly RunningService[], bus: InProcessMessageBus, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let quiet = 0; quiet < 2; ) {
    if (Date.now() > deadline) {
      log(`stopping with events still in flight after ${timeoutMs / 1000} s: rebuild the read models after the next start (npm run cli -- projections list, then projections rebuild NAME)`);
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
    const published = (await Promise.all(services.map((service) => service.infrastructure.relayCaughtUp()))).every(Boolean);
    quiet = published && bus.idle() ? quiet + 1 : 0;
  }
}
