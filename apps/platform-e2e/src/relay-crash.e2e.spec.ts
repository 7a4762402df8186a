import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { TOPICS } from '@identity/contracts';
import { EMPTY_PROFILE, userDecider } from '@identity/identity-domain';
import { CommandRunner, PostgresEventStore, createDataSource, outboxFor, publishAsIs, EVENT_STORE_MIGRATIONS, runMigrations } from '@identity/platform-event-store';
import {
  collectFromKafka,
  createTestDatabase,
  eventually,
  serviceEnv,
  startServiceProcess,
  testNamespace,
  waitForHttp,
  type Collector,
  type ServiceProcess,
} from '@identity/platform-testing';
import { freePort } from '@identity/platform-service';

describe('relay killed between commit and publish (a real SIGKILL)', () => {
  let writer: DataSource;
  let collector: Collector;
  let relay: ServiceProcess | undefined;
  let env: NodeJS.ProcessEnv;
  let port: number;

  beforeAll(async () => {
    const databaseUrl = await createTestDatabase();
    const namespace = testNamespace('crash');
    port = await freePort();
    env = serviceEnv(databaseUrl, namespace, { PORT: String(port) });
    writer = createDataSource({ url: databaseUrl, migrations: [...EVENT_STORE_MIGRATIONS] });
    await writer.initialize();
    await runMigrations(writer);
    collector = await collectFromKafka(namespace, [TOPICS.identityUser.name]);
  });

  afterAll(async () => {
    await relay?.stop();
    await collector.stop();
    await writer.destroy();
  });

  it('publishes every committed event after a restart, losing none', async () => {
    const runner = new CommandRunner(new PostgresEventStore(writer));
    const tenantId = randomUUID();
    const written: string[] = [];
    const writeUsers = async (count: number) => {
      for (let index = 0; index < count; index++) {
        const userId = randomUUID();
        const outcome = await runner.run({
          streamId: `user-${userId}`,
          streamType: 'user',
          decider: userDecider,
          command: {
            type: 'ProvisionUser',
            actor: { kind: 'admin' },
            userId,
            userName: `u-${userId}`,
            externalId: null,
            active: true,
            profile: EMPTY_PROFILE,
            site: null,
            visibleInDirectory: false,
          },
          context: { tenantId, correlationId: 'crash-test' },
          toOutbox: outboxFor(publishAsIs),
        });
        written.push(...outcome.events.map((event) => event.eventId));
      }
    };

    relay = startServiceProcess('dist/apps/event-relay/src/main.js', env);
    await waitForHttp(`http://127.0.0.1:${port}/health/ready`, 200, 60_000, relay);
    const writing = writeUsers(150);
    await eventually(() => expect(collector.messages.length).toBeGreaterThan(10), { intervalMs: 5 });
    await relay.kill();
    await writing; // these commits land while no relay runs
    await writeUsers(50);
    const seenBeforeRestart = new Set(collector.messages.map((message) => message.headers['event-id'])).size;
    expect(seenBeforeRestart).toBeLessThan(written.length);

    relay = startServiceProcess('dist/apps/event-relay/src/main.js', env);
    await eventually(
      () => {
        const seen = new Set(collector.messages.map((message) => message.headers['event-id']));
        expect(written.filter((eventId) => !seen.has(eventId))).toEqual([]);
      },
      { timeoutMs: 60_000 },
    );
    // The correlation id of the writing request travels in the Kafka headers.
    expect(new Set(collector.messages.map((message) => message.headers['x-correlation-id']))).toEqual(new Set(['crash-test']));
    // SIGTERM (a pod stopping) drains and exits 0; it used to die by the signal in the middle of draining.
    expect(await relay.stop()).toBe(0);
  });
});
