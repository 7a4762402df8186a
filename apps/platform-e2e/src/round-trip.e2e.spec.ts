import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { EMPTY_PROFILE, userDecider, usernameReservations, type UserCommand } from '@identity/identity-domain';
import { licensingUsersProjection } from '@identity/licensing-data-access';
import { CommandRunner, PostgresEventStore, createDataSource, outboxFor, publishAsIs } from '@identity/platform-event-store';
import { rebuildProjection } from '@identity/platform-projections';
import { startService, type RunningService } from '@identity/platform-service';
import { createTestDatabase, eventually, serviceEnv, testNamespace } from '@identity/platform-testing';
import { eventRelayService } from '@identity/service-event-relay';
import { licensingService } from '@identity/service-licensing';

describe('round trip: event store → outbox → relay → Kafka → another service’s read model', () => {
  let relay: RunningService;
  let licensing: RunningService;
  let writer: DataSource;
  let runner: CommandRunner;
  const tenantId = randomUUID();
  const site = { siteId: randomUUID(), siteName: 'Redmond HQ' };

  beforeAll(async () => {
    const databaseUrl = await createTestDatabase();
    const env = serviceEnv(databaseUrl, testNamespace('roundtrip'));
    relay = await startService(eventRelayService, { env, listen: false });
    licensing = await startService(licensingService, { env, listen: false });
    writer = createDataSource({ url: databaseUrl, migrations: [] });
    await writer.initialize();
    runner = new CommandRunner(new PostgresEventStore(writer));
  });

  afterAll(async () => {
    await licensing?.stop();
    await relay?.stop();
    await writer?.destroy();
  });

  const execute = (userId: string, command: UserCommand) =>
    runner.run({
      streamId: `user-${userId}`,
      streamType: 'user',
      decider: userDecider,
      command,
      context: { tenantId, correlationId: `test-${userId}` },
      reservations: usernameReservations,
      toOutbox: outboxFor(publishAsIs),
    });

  const provision = (userId: string, userName: string, withSite: boolean) =>
    execute(userId, {
      type: 'ProvisionUser',
      actor: { kind: 'idp', idp: 'azure-ad' },
      userId,
      userName,
      externalId: null,
      active: true,
      profile: { ...EMPTY_PROFILE, givenName: 'Adele' },
      site: withSite ? site : null,
      visibleInDirectory: false,
    });

  const licensingRows = () =>
    licensing.infrastructure.dataSource.query(
      `SELECT user_id, tenant_id, user_name, status, site_id, updated_at FROM licensing.users WHERE tenant_id = $1 ORDER BY user_id`,
      [tenantId],
    );

  it('projects users written by one service into the licensing read model, with later changes', async () => {
    const adele = randomUUID();
    const alex = randomUUID();
    await provision(adele, `adele-${adele}@contoso.com`, true);
    await provision(alex, `alex-${alex}@contoso.com`, false);
    await execute(alex, { type: 'DeactivateUser', actor: { kind: 'idp', idp: 'azure-ad' }, reason: 'idp-deactivated' });

    await eventually(async () => {
      const rows = await licensing.infrastructure.dataSource.query(`SELECT user_id, status, site_id FROM licensing.users WHERE tenant_id = $1`, [tenantId]);
      expect(rows).toEqual(
        expect.arrayContaining([
          { user_id: adele, status: 'active', site_id: site.siteId },
          { user_id: alex, status: 'deactivated', site_id: null },
        ]),
      );
    });
  });

  it('rebuilds the read model from the event store into exactly the rows live projection made', async () => {
    for (let index = 0; index < 20; index++) {
      const userId = randomUUID();
      await provision(userId, `bulk-${userId}@contoso.com`, index % 2 === 0);
      if (index % 3 === 0) await execute(userId, { type: 'DeactivateUser', actor: { kind: 'idp', idp: 'azure-ad' }, reason: 'idp-deleted' });
    }
    // Live projection has caught up when it applied every stream of the tenant to its last version.
    await eventually(async () => {
      const [{ behind }] = await writer.query(
        `SELECT count(*)::int AS behind FROM event_store.streams s
           LEFT JOIN licensing.projection_progress p ON p.projection = 'licensing.users' AND p.aggregate_id = substring(s.stream_id from 6)
          WHERE s.tenant_id = $1 AND coalesce(p.version, 0) < s.version`,
        [tenantId],
      );
      expect(behind).toBe(0);
    });
    const [{ total }] = await writer.query(`SELECT count(*)::int AS total FROM event_store.streams WHERE tenant_id = $1`, [tenantId]);
    const live = await licensingRows();
    expect(live).toHaveLength(total);

    const result = await rebuildProjection(licensing.infrastructure.dataSource, licensingUsersProjection, publishAsIs);
    expect(result.eventsApplied).toBeGreaterThanOrEqual(total);
    expect(await licensingRows()).toEqual(live);
  });
});
