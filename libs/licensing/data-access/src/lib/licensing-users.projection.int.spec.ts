import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { createDataSource, runMigrations } from '@identity/platform-event-store';
import { applyOneByOneAndInBatch, createTestDatabase, integrationEventsOf } from '@identity/platform-testing';
import { CreateLicensingLedger1764461600000 } from './licensing-ledger.migration';
import { licensingUsersProjection } from './licensing-users.projection';
import { CreateLicensingSchema1764461000000 } from './licensing.migration';
import { telephonyProfilesProjection, telephonySettingsProjection } from './telephony.projections';
import { CreateLicensingTelephony1764461900000 } from './telephony.migration';

describe('licensing read models (real PostgreSQL)', () => {
  let dataSource: DataSource;
  const tenantId = randomUUID();

  beforeAll(async () => {
    dataSource = createDataSource({ url: await createTestDatabase(), migrations: [CreateLicensingSchema1764461000000, CreateLicensingLedger1764461600000, CreateLicensingTelephony1764461900000],
      poolSize: 2, });
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

  it('rebuilding licensing.telephony-settings alone keeps who holds which number, and the quarantines', async () => {
    const company = randomUUID();
    const event = integrationEventsOf(company);
    const [holder, leaver] = [randomUUID(), randomUUID()];
    const imported = event(company, 'PhoneNumbersImported', { tenantId: company, numbers: ['+14155550001', '+14155550002', '+14155550003'] });
    const numbers = () =>
      dataSource.query(`SELECT number, user_id, quarantined_until FROM licensing.phone_numbers WHERE tenant_id = $1 ORDER BY number`, [company]) as Promise<unknown[]>;
    await dataSource.transaction(async (manager) => {
      await telephonySettingsProjection.apply(manager, imported);
      await telephonyProfilesProjection.apply(manager, event(holder, 'PhoneNumberAssigned', { number: '+14155550001' }));
      await telephonyProfilesProjection.apply(manager, event(leaver, 'PhoneNumberAssigned', { number: '+14155550002' }));
      await telephonyProfilesProjection.apply(manager, event(leaver, 'PhoneNumberReleased', { number: '+14155550002', quarantinedUntil: '2027-01-01T00:00:00.000Z' }));
    });
    const live = await numbers();
    expect(live).toHaveLength(3);

    await dataSource.transaction(async (manager) => {
      await telephonySettingsProjection.reset!(manager);
      await telephonySettingsProjection.apply(manager, imported);
    });
    expect(await numbers()).toEqual(live);
  });
});
