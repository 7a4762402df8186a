import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { IntegrationEvent } from '@identity/contracts';
import { createDataSource, runMigrations } from '@identity/platform-event-store';
import { createTestDatabase } from '@identity/platform-testing';
import { CreateLicensingLedger1764461600000 } from './licensing-ledger.migration';
import { licensingUsersProjection } from './licensing-users.projection';
import { CreateLicensingSchema1764461000000 } from './licensing.migration';

describe('licensing.users applied in batches (real PostgreSQL)', () => {
  let dataSource: DataSource;
  const tenantId = randomUUID();

  beforeAll(async () => {
    dataSource = createDataSource({ url: await createTestDatabase(), migrations: [CreateLicensingSchema1764461000000, CreateLicensingLedger1764461600000], poolSize: 2 });
    await dataSource.initialize();
    await runMigrations(dataSource);
  });

  afterAll(() => dataSource.destroy());

  const versions = new Map<string, number>();
  const event = (userId: string, eventType: string, data: Record<string, unknown> = {}): IntegrationEvent => {
    const version = (versions.get(userId) ?? 0) + 1;
    versions.set(userId, version);
    return {
      eventId: randomUUID(),
      eventType,
      schemaVersion: 1,
      tenantId,
      aggregateId: userId,
      aggregateVersion: version,
      occurredAt: new Date(Date.UTC(2026, 10, 30, 12, 0, version)).toISOString(),
      causationId: 'test',
      correlationId: 'test',
      data: { userId, ...data },
    };
  };
  const provisioned = (userId: string, userName: string) =>
    event(userId, 'UserProvisioned', { userName, active: true, profile: { department: 'Sales', title: null } });
  const rows = () => dataSource.query(`SELECT * FROM licensing.users ORDER BY user_id`);

  it('ends in the same rows as applying the events one by one', async () => {
    const [existing, created, shortLived, untouched] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    const before = [provisioned(existing, 'existing@contoso.com'), provisioned(untouched, 'untouched@contoso.com')];
    const batch = [
      event(existing, 'SiteAssigned', { siteId: randomUUID(), siteName: 'London' }),
      provisioned(created, 'created@contoso.com'),
      event(existing, 'UserAttributesChanged', { changes: { title: 'Lead', department: null } }),
      event(created, 'SiteAssigned', { siteId: randomUUID(), siteName: 'Paris' }),
      event(existing, 'UserDeactivated'),
      event(created, 'UserAttributesChanged', { changes: { userName: 'renamed@contoso.com' } }),
      provisioned(shortLived, 'short@contoso.com'),
      event(existing, 'UserReactivated'),
      event(shortLived, 'UserDeleted'),
      event(created, 'DirectoryVisibilityChanged', { visible: true }),
    ];
    await dataSource.transaction(async (manager) => {
      for (const one of [...before, ...batch]) await licensingUsersProjection.apply(manager, one);
    });
    const oneByOne = await rows();
    await dataSource.transaction(async (manager) => {
      await licensingUsersProjection.reset(manager);
      for (const one of before) await licensingUsersProjection.apply(manager, one);
      await licensingUsersProjection.applyMany!(manager, batch);
    });
    expect(await rows()).toEqual(oneByOne);
    expect(oneByOne.find((row: { user_id: string }) => row.user_id === existing)).toMatchObject({ status: 'active', title: 'Lead', department: null, site_name: 'London', version: 5 });
    expect(oneByOne.find((row: { user_id: string }) => row.user_id === created)).toMatchObject({ user_name: 'renamed@contoso.com', site_name: 'Paris', version: 4 });
    expect(oneByOne.find((row: { user_id: string }) => row.user_id === shortLived)).toMatchObject({ status: 'deleted' });
  });
});
