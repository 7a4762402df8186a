import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { createDataSource, runMigrations } from '@identity/platform-event-store';
import { applyOneByOneAndInBatch, createTestDatabase, integrationEventsOf } from '@identity/platform-testing';
import { scimUsersProjection } from './scim-users.projection';
import { CreateScimSchema1764461200000 } from './scim.migration';

describe('scim.users applied in batches (real PostgreSQL)', () => {
  let dataSource: DataSource;
  const tenantId = randomUUID();

  beforeAll(async () => {
    dataSource = createDataSource({ url: await createTestDatabase(), migrations: [CreateScimSchema1764461200000], poolSize: 2 });
    await dataSource.initialize();
    await runMigrations(dataSource);
  });

  afterAll(() => dataSource.destroy());

  const event = integrationEventsOf(tenantId);
  const provisioned = (userId: string, userName: string) =>
    event(userId, 'UserProvisioned', {
      userName,
      externalId: userName.split('@')[0],
      active: true,
      owner: 'idp',
      idp: 'azure-ad',
      profile: { givenName: 'Ada', familyName: 'Lovelace', email: userName, title: null, department: 'Sales', mobilePhone: '+44 7700 900123', workPhone: null, locale: 'en-GB', timezone: 'Europe/London' },
    });
  const rows = (): Promise<{ user_id: string }[]> => dataSource.query(`SELECT * FROM scim.users ORDER BY user_id`);

  it('ends in the same rows as applying the events one by one', async () => {
    const [existing, created, removed, untouched] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    const before = [provisioned(existing, 'existing@contoso.com'), provisioned(untouched, 'untouched@contoso.com')];
    const batch = [
      event(existing, 'SiteAssigned', { siteId: randomUUID(), siteName: 'London' }),
      provisioned(created, 'created@contoso.com'),
      event(existing, 'UserAttributesChanged', { changes: { title: 'Lead', department: null } }),
      event(created, 'SiteAssigned', { siteId: randomUUID(), siteName: 'Paris' }),
      event(existing, 'UserDeactivated', { reason: 'idp-deleted' }),
      event(created, 'UserAttributesChanged', { changes: { userName: 'renamed@contoso.com' } }),
      provisioned(removed, 'removed@contoso.com'),
      event(existing, 'UserReactivated'),
      event(removed, 'UserDeactivated', { reason: 'idp-deleted' }),
      event(removed, 'UserDeleted'),
      event(created, 'UserLinkedToIdp', { idp: 'okta' }),
      event(created, 'DirectoryVisibilityChanged', { visible: true }),
    ];
    const { oneByOne, batched } = await applyOneByOneAndInBatch(dataSource, scimUsersProjection, { before, batch }, rows);
    expect(batched).toEqual(oneByOne);
    expect(oneByOne.find((row) => row.user_id === existing)).toMatchObject({ active: true, idp_deleted: false, title: 'Lead', department: null, site_name: 'London', version: 5 });
    expect(oneByOne.find((row) => row.user_id === created)).toMatchObject({ user_name: 'renamed@contoso.com', site_name: 'Paris', idp: 'okta', version: 5 });
    expect(oneByOne.find((row) => row.user_id === removed)).toMatchObject({ active: false, idp_deleted: true, deleted: true });
  });
});
