import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { createDataSource, runMigrations } from '@identity/platform-event-store';
import { createTestDatabase } from '@identity/platform-testing';
import { DIRECTORY_MIGRATIONS } from './directory.migration';
import { AddDirectoryNameWords1764463000000 } from './users.migration';
import { DIRECTORY_COUNT_CAP, UserQueries } from './user.queries';

describe('Directory search (real PostgreSQL)', () => {
  const tenantId = randomUUID();
  const otherTenantId = randomUUID();
  let dataSource: DataSource;
  let queries: UserQueries;

  beforeAll(async () => {
    dataSource = createDataSource({
      url: await createTestDatabase(),
      migrations: DIRECTORY_MIGRATIONS,
      poolSize: 4,
    });
    await dataSource.initialize();
    await runMigrations(dataSource);
    // More people named Ada than the count goes to; a few Grace Hoppers; hidden and deactivated
    // people, and another company's, who must never be found.
    await dataSource.query(
      `INSERT INTO directory.users (user_id, tenant_id, user_name, status, owner, given_name, family_name, mobile_phone, visible, created_at, updated_at, version)
       SELECT gen_random_uuid(), $1, 'ada' || n || '@contoso.com', 'active', 'idp', 'Ada', (ARRAY['Lovelace', 'byron', 'King', NULL])[1 + n % 4] , '+44 7700 ' || lpad(n::text, 6, '0'), true, now(), now(), 1
         FROM generate_series(1, $2::int) AS n`,
      [tenantId, DIRECTORY_COUNT_CAP + 200],
    );
    await dataSource.query(
      `INSERT INTO directory.users (user_id, tenant_id, user_name, status, owner, given_name, family_name, work_phone, visible, created_at, updated_at, version)
       SELECT gen_random_uuid(), $1, 'grace' || n || '@contoso.com', CASE WHEN n = 5 THEN 'deactivated' ELSE 'active' END, 'idp', 'Grace', 'Hopper', '+1 212 555 01' || n, n <> 4, now(), now(), 1
         FROM generate_series(1, 6) AS n`,
      [tenantId],
    );
    await dataSource.query(
      `INSERT INTO directory.users (user_id, tenant_id, user_name, status, owner, given_name, family_name, visible, created_at, updated_at, version)
       SELECT gen_random_uuid(), $1, 'other' || n || '@fabrikam.com', 'active', 'idp', 'Grace', 'Hopper', true, now(), now(), 1 FROM generate_series(1, 3) AS n`,
      [otherTenantId],
    );
    queries = new UserQueries(dataSource);
  });

  afterAll(() => dataSource.destroy());

  const search = (query: { q?: string; number?: string; extension?: string; offset?: number; limit?: number }) =>
    queries.directory(tenantId, { view: 'company', offset: 0, limit: 25, ...query });

  /** The directory's order computed by sorting every match, to compare pages with. */
  const fullySorted = async (where: string) =>
    (
      (await dataSource.query(
        `SELECT user_id FROM directory.users WHERE tenant_id = $1 AND visible AND status = 'active' AND ${where}
          ORDER BY lower(family_name) NULLS LAST, lower(given_name) NULLS LAST, user_id`,
        [tenantId],
      )) as { user_id: string }[]
    ).map((row) => row.user_id);

  it('stops counting at the cap, says the total is a lower bound, and still pages in name order', async () => {
    const expected = await fullySorted(`lower(given_name) LIKE 'ada%'`);
    const first = await search({ q: 'ada' });
    expect(first).toMatchObject({ total: DIRECTORY_COUNT_CAP, totalIsExact: false });
    expect(first.items.map((item) => item.userId)).toEqual(expected.slice(0, 25));
    expect(first.items[0].familyName).toBe('byron'); // case-insensitive: b < K < L, then no family name
    const deep = await search({ q: 'ADA', offset: 1150, limit: 100 });
    expect(deep.items.map((item) => item.userId)).toEqual(expected.slice(1150, 1250));
    expect(deep.items.at(-1)?.familyName).toBeNull();
    const past = await search({ q: 'ada', offset: 5000 });
    expect(past.items).toEqual([]);
  });

  it('counts exactly below the cap and sorts the matches, with every term a name prefix', async () => {
    const found = await search({ q: 'grace hop' });
    expect(found).toMatchObject({ total: 4, totalIsExact: true });
    expect(found.items.map((item) => item.userId)).toEqual(await fullySorted(`given_name = 'Grace'`));
    expect(found.items[0]).toMatchObject({ name: 'Grace Hopper', workPhone: expect.stringMatching(/^\+1 212/) });
    expect(await search({ q: 'hopper grace', limit: 2, offset: 2 })).toMatchObject({ total: 4, totalIsExact: true, items: [expect.anything(), expect.anything()] });
    expect((await search({ q: 'grace hop', offset: 10 })).total).toBe(4);
    expect(await search({ q: 'race' })).toMatchObject({ total: 0, items: [] });
    // LIKE's wildcards are literal characters in a search.
    expect((await search({ q: '%' })).total).toBe(0);
  });

  it('finds people by the start of any of their numbers, whatever the formatting, and by extension', async () => {
    const mobile = await search({ number: '+44 (7700) 000 12' });
    expect(mobile.items.map((item) => item.contactNumber).sort()).toEqual(Array.from({ length: 10 }, (_, digit) => `+44 7700 00012${digit}`));
    const work = await search({ number: '1212555' });
    expect(work).toMatchObject({ total: 4, totalIsExact: true });
    const [grace] = work.items;
    await dataSource.query(`INSERT INTO directory.user_telephony (user_id, tenant_id, extension, direct_number, direct_digits) VALUES ($1, $2, '4711', '+44 20 3000 4711', '442030004711')`, [
      grace.userId,
      tenantId,
    ]);
    expect((await search({ number: '+44 20 3000' })).items).toEqual([expect.objectContaining({ userId: grace.userId, extension: '4711', directNumber: '+44 20 3000 4711' })]);
    expect((await search({ extension: '47' })).items.map((item) => item.userId)).toEqual([grace.userId]);
    expect((await search({ extension: '47', q: 'ada' })).total).toBe(0);
  });

  it('finds people by any word of their names, whatever the accents, case, hyphens and apostrophes', async () => {
    const people = [
      ['Ludwig', 'van Beethoven'],
      ['José', 'Núñez'],
      ['Jean-Pierre', 'Łukasiewicz'],
      ['Siobhán', 'O’Brien'],
      ['ÆSA', 'STRAßE'],
    ];
    const ids: Record<string, string> = {};
    for (const [givenName, familyName] of people) {
      const [{ user_id }] = (await dataSource.query(
        `INSERT INTO directory.users (user_id, tenant_id, user_name, status, owner, given_name, family_name, visible, created_at, updated_at, version)
         VALUES (gen_random_uuid(), $1, gen_random_uuid() || '@contoso.com', 'active', 'idp', $2, $3, true, now(), now(), 1) RETURNING user_id`,
        [tenantId, givenName, familyName],
      )) as { user_id: string }[];
      ids[givenName] = user_id;
    }
    const found = async (q: string) => (await search({ q })).items.map((item) => item.userId);
    expect(await found('beethoven')).toEqual([ids.Ludwig]);
    expect(await found('ludwig beet')).toEqual([ids.Ludwig]);
    expect(await found('van')).toEqual([ids.Ludwig]);
    expect(await found('jose nunez')).toEqual([ids['José']]);
    expect(await found('JOSÉ')).toEqual([ids['José']]);
    expect(await found('pierre')).toEqual([ids['Jean-Pierre']]);
    expect(await found('jean-pierre lukas')).toEqual([ids['Jean-Pierre']]);
    expect(await found('obrien')).toEqual([ids['Siobhán']]);
    expect(await found("o'brien siobhan")).toEqual([ids['Siobhán']]);
    expect(await found('aesa strasse')).toEqual([ids['ÆSA']]);
    // A word is found from its start only, and a term of separators finds nobody.
    expect(await found('hoven')).toEqual([]);
    expect(await found('-')).toEqual([]);
    // The admin user list finds them the same way (and by username or email as before).
    const listed = await queries.list(tenantId, { q: 'beethoven', sort: 'userName', descending: false, offset: 0, limit: 10 });
    expect(listed.items.map((item) => item.userId)).toEqual([ids.Ludwig]);
    expect((await queries.list(tenantId, { q: 'nunez', sort: 'userName', descending: false, offset: 0, limit: 10 })).items.map((item) => item.userId)).toEqual([ids['José']]);
    // A renamed person is found by the new name only.
    await dataSource.query(`UPDATE directory.users SET family_name = 'Bach' WHERE user_id = $1`, [ids.Ludwig]);
    expect(await found('beethoven')).toEqual([]);
    expect(await found('bach')).toEqual([ids.Ludwig]);
  });

  it('finds by any word the people who were there before the upgrade that added it', async () => {
    const url = await createTestDatabase();
    const before = createDataSource({ url, migrations: DIRECTORY_MIGRATIONS.slice(0, DIRECTORY_MIGRATIONS.indexOf(AddDirectoryNameWords1764463000000)), poolSize: 2 });
    await before.initialize();
    await runMigrations(before);
    await before.query(
      `INSERT INTO directory.users (user_id, tenant_id, user_name, status, owner, given_name, family_name, visible, created_at, updated_at, version)
       VALUES (gen_random_uuid(), $1, 'ludwig@contoso.com', 'active', 'idp', 'Ludwig', 'van Beethoven', true, now(), now(), 1)`,
      [tenantId],
    );
    await before.destroy();
    const after = createDataSource({ url, migrations: DIRECTORY_MIGRATIONS, poolSize: 2 });
    await after.initialize();
    try {
      expect(await runMigrations(after)).toEqual(['AddDirectoryNameWords1764463000000', 'IndexDirectoryNameWords1764463050000']);
      const found = await new UserQueries(after).directory(tenantId, { view: 'company', q: 'beethoven', offset: 0, limit: 25 });
      expect(found.items.map((item) => item.name)).toEqual(['Ludwig van Beethoven']);
    } finally {
      await after.destroy();
    }
  });

  it('never shows another company’s people', async () => {
    const other = await queries.directory(otherTenantId, { view: 'company', q: 'grace', offset: 0, limit: 25 });
    expect(other).toMatchObject({ total: 3, totalIsExact: true });
    expect(other.items.every((item) => item.name === 'Grace Hopper')).toBe(true);
  });
});
