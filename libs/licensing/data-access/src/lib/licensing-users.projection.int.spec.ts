import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { createDataSource, runMigrations } from '@identity/platform-event-store';
import { applyOneByOneAndInBatch, createTestDatabase, integrationEventsOf } from '@identity/platform-testing';
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

  const event = integrationEventsOf(tenantId);
  const provisioned = (userId: string, userName: string) =>
    event(userId, 'UserProvisioned', { userName, active: true, profile: { department: 'Sales', title: null } });
  const rows = (): Promise<{ user_id: string }[]> => dataSource.query(`SELECT * FROM licensing.users ORDER BY user_id`);

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
    const { oneByOne, batched } = await applyOneByOneAndInBatch(dataSource, licensingUsersProjection, { before, batch }, rows);
    expect(batched).toEqual(oneByOne);
    expect(oneByOne.find((row) => row.user_id === existing)).toMatchObject({ status: 'active', title: 'Lead', department: null, site_name: 'London', version: 5 });
    expect(oneByOne.find((row) => row.user_id === created)).toMatchObject({ user_name: 'renamed@contoso.com', site_name: 'Paris', version: 4 });
    expect(oneByOne.find((row) => row.user_id === shortLived)).toMatchObject({ status: 'deleted' });
  });
});
