import { randomUUID } from 'node:crypto';
import { directoryUsersProjection } from '@identity/directory-data-access';
import { publishAsIs } from '@identity/platform-event-store';
import { rebuildProjection } from '@identity/platform-projections';
import { eventually, TEST_PLATFORM_TOKEN } from '@identity/platform-testing';
import { azure } from '../support/azure-ad.requests';
import { IdentityStack, scimClient, SITE_8X8, type ScimTenant } from '../support/identity-stack';

type User = { userId: string; userName: string; owner: string; lockedFields: string[]; site: { name: string } | null; visibleInDirectory: boolean; status: string; title: string | null; version: number };
type Page<T> = { items: T[]; total: number };

describe('User directory and admin API (real PostgreSQL and Kafka)', () => {
  const stack = new IdentityStack();
  let tenant: ScimTenant;
  let scim: ReturnType<typeof scimClient>;
  let api: <T = Record<string, unknown>>(method: string, path: string, body?: unknown, token?: string) => Promise<{ status: number; body: T }>;

  beforeAll(async () => {
    await stack.start();
    tenant = await stack.tenant({ sites: ['London', 'Paris'] });
    scim = scimClient(tenant);
    api = (method, path, body, token = tenant.adminToken) => stack.admin(stack.directoryUrl, method, `/api/v1/tenants/${tenant.tenantId}${path}`, token, body);
  });

  afterAll(() => stack.stop());

  const adminUser = async (userName = `admin.${randomUUID().slice(0, 8)}@contoso.com`, extra: Record<string, unknown> = {}) => {
    const created = await api<User>('POST', '/users', { userName, givenName: 'Ada', familyName: 'Admin', title: 'Clerk', ...extra });
    expect(created.status).toBe(201);
    return created.body;
  };
  const idpUser = async (userName = `idp.${randomUUID().slice(0, 8)}@contoso.com`, site = 'London') => {
    const created = await scim<{ id: string }>('POST', '/Users', azure.createUser(userName, site));
    expect(created.status).toBe(201);
    // The user and its site are two events: wait for both.
    return eventually(async () => {
      const user = await api<User>('GET', `/users/${created.body.id}`);
      expect(user.status).toBe(200);
      expect(user.body.site).not.toBeNull();
      return user.body;
    });
  };

  describe('ownership', () => {
    it('refuses admin edits of what the IdP masters with a 409 naming the fields, and allows the rest', async () => {
      const user = await idpUser();
      expect(user).toMatchObject({ owner: 'idp', lockedFields: ['userName', 'givenName', 'familyName', 'email', 'active'], site: { name: 'London' } });
      const refused = await api<{ fields: string[]; detail: string }>('PATCH', `/users/${user.userId}`, { givenName: 'Nope', familyName: 'Nope', title: 'CEO' });
      expect(refused.status).toBe(409);
      expect(refused.body.fields).toEqual(['givenName', 'familyName']);
      expect(refused.body.detail).toContain('identity provider');
      expect((await api<User>('GET', `/users/${user.userId}`)).body.title).toBe('Engineer');
      expect((await api('POST', `/users/${user.userId}/deactivate`)).status).toBe(409);
      const allowed = await api<User>('PATCH', `/users/${user.userId}`, { title: 'CEO' });
      expect(allowed.status).toBe(200);
      expect(allowed.body.title).toBe('CEO');
    });

    it('links an admin-created user when the IdP finds it by userName and updates it', async () => {
      const user = await adminUser();
      expect(user).toMatchObject({ owner: 'admin', lockedFields: [] });
      const found = await eventually(async () => {
        const response = await scim<{ Resources: { id: string }[] }>('GET', `/Users?filter=${encodeURIComponent(`userName eq "${user.userName}"`)}`);
        expect(response.body.Resources).toHaveLength(1);
        return response.body.Resources[0];
      });
      expect(found.id).toBe(user.userId);
      expect((await scim('PATCH', `/Users/${user.userId}`, azure.updateUserDefault(user.userName))).status).toBe(200);
      await eventually(async () => expect((await api<User>('GET', `/users/${user.userId}`)).body.owner).toBe('idp'));
      expect((await api('PATCH', `/users/${user.userId}`, { familyName: 'Changed' })).status).toBe(409);
    });

    it('deactivates, reactivates and deletes; a deleted username is free again', async () => {
      const user = await adminUser();
      expect((await api<User>('POST', `/users/${user.userId}/deactivate`)).body.status).toBe('deactivated');
      expect((await api<User>('POST', `/users/${user.userId}/reactivate`)).body.status).toBe('active');
      expect((await api('DELETE', `/users/${user.userId}`)).status).toBe(204);
      expect((await api('GET', `/users/${user.userId}`)).status).toBe(404);
      expect((await api('POST', '/users', { userName: user.userName.toUpperCase() })).status).toBe(201);
    });

    it('refuses a duplicate username and an unknown site with clear problems', async () => {
      const user = await adminUser();
      const duplicate = await api<{ title: string }>('POST', '/users', { userName: user.userName });
      expect(duplicate).toMatchObject({ status: 409, body: { title: 'username-taken' } });
      const unknownSite = await api<{ fields: string[] }>('POST', '/users', { userName: `s.${randomUUID()}@contoso.com`, siteId: randomUUID() });
      expect(unknownSite).toMatchObject({ status: 400, body: { fields: ['siteId'] } });
    });

    it('answers a missing or null username, a null flag and an offset past any list with 400, and changes nothing', async () => {
      const user = await adminUser();
      for (const [method, path, body] of [
        ['POST', '/users', { givenName: 'No name' }],
        ['POST', '/users', { userName: null }],
        ['PATCH', `/users/${user.userId}`, { userName: null }],
        ['PATCH', `/users/${user.userId}`, { visibleInDirectory: null }],
        ['PATCH', `/users/${user.userId}`, { active: null }],
        ['GET', '/users?offset=99999999999999999999', undefined],
        ['GET', '/sites?offset=99999999999999999999', undefined],
        ['GET', '/directory?offset=99999999999999999999', undefined],
      ] as const) {
        const response = await api(method, path, body);
        expect({ method, path, body, status: response.status }).toEqual({ method, path, body, status: 400 });
      }
      expect((await api<User>('GET', `/users/${user.userId}`)).body).toMatchObject({ userName: user.userName, status: 'active' });
    });
  });

  describe('request bodies', () => {
    it('answers bodies that would reach PostgreSQL as a 500 (a NUL in a form, deep nesting, a charset that hides a NUL) with 400 or 415, and stores nothing', async () => {
      const raw = (path: string, contentType: string, body: string) =>
        fetch(`${stack.directoryUrl}/api/v1/tenants/${tenant.tenantId}${path}`, { method: 'POST', headers: { authorization: `Bearer ${tenant.adminToken}`, 'content-type': contentType }, body });
      const name = `Body ${randomUUID().slice(0, 8)}`;
      for (const [path, contentType, body, status] of [
        ['/sites', 'application/x-www-form-urlencoded', `name=${encodeURIComponent(name)}%00`, 400],
        ['/users', 'application/x-www-form-urlencoded', `userName=form.${randomUUID().slice(0, 8)}%40contoso.com%00`, 400],
        ['/sites', 'application/json', `{"name":"${name}","extra":${'['.repeat(1400)}1${']'.repeat(1400)}}`, 400],
        ['/sites', 'application/json; charset=utf-7', `{"name":"${name}","extra":${'+AFs-'.repeat(1400)}1${'+AF0-'.repeat(1400)}}`, 415],
        ['/users/bulk', 'text/csv; charset=utf-7', `userName,title\nnobody+AAA-@contoso.com,x\n`, 415],
      ] as const) {
        const response = await raw(path, contentType, body);
        const problem = (await response.json()) as { status?: number; title?: string };
        expect({ path, contentType, status: response.status, problem: problem.status }).toEqual({ path, contentType, status, problem: status });
      }
      expect((await api<Page<{ name: string }>>('GET', '/sites?limit=200')).body.items.map((site) => site.name)).not.toContain(name);
    });
  });

  describe('company directory', () => {
    it('hides IdP-created users until an admin shows them, finds people by name and number, and gives desk phones no contact numbers', async () => {
      const tag = randomUUID().slice(0, 6);
      const body = azure.createUser(`dir.${tag}@contoso.com`);
      body.name = { formatted: '', givenName: `Zed${tag}`, familyName: 'Quill' };
      body.phoneNumbers = [{ type: 'mobile', value: `+44 (20) 7${tag.replace(/[^0-9]/g, '1').slice(0, 3)} 0001` }, { type: 'work', value: '+441234' }];
      const created = await scim<{ id: string }>('POST', '/Users', body);
      const search = (query: string) => api<Page<Record<string, unknown>>>('GET', `/directory?${query}`);
      await eventually(async () => expect((await api('GET', `/users/${created.body.id}`)).status).toBe(200));
      expect((await search(`q=zed${tag}`)).body.total).toBe(0);
      expect((await api('PUT', `/users/${created.body.id}/directory-visibility`, { visible: true })).status).toBe(200);
      const byName = await search(`q=${encodeURIComponent(`Zed${tag} qui`)}`);
      expect(byName.body.items).toEqual([
        expect.objectContaining({ userId: created.body.id, name: `Zed${tag} Quill`, site: 'London', contactNumber: body.phoneNumbers[0].value, workPhone: '+441234' }),
      ]);
      const digits = body.phoneNumbers[0].value.replace(/[^0-9]/g, '');
      expect((await search(`number=${encodeURIComponent(`+${digits.slice(0, 8)}`)}`)).body.items.map((item) => item.userId)).toContain(created.body.id);
      const desk = await search(`view=desk-phone&q=zed${tag}`);
      expect(desk.body.items[0]).not.toHaveProperty('contactNumber');
      expect(desk.body.items[0]).not.toHaveProperty('workPhone');
      await scim('PATCH', `/Users/${created.body.id}`, azure.disableDefault);
      await eventually(async () => expect((await search(`q=zed${tag}`)).body.total).toBe(0));
      // A mailbox without names is listed by its username, and found by it.
      const reception = await adminUser(`reception.${tag}@contoso.com`, { givenName: null, familyName: null, visibleInDirectory: true });
      expect((await search(`q=reception.${tag}`)).body.items).toEqual([expect.objectContaining({ userId: reception.userId, name: `reception.${tag}@contoso.com` })]);
      const lobby = await adminUser(`lobby.${tag}@contoso.com`, { givenName: '', familyName: '', visibleInDirectory: true });
      expect((await search(`q=lobby.${tag}`)).body.items).toEqual([expect.objectContaining({ userId: lobby.userId, name: `lobby.${tag}@contoso.com` })]);
    });

    it('shows new IdP users at once when the tenant says so', async () => {
      await stack.admin(stack.scimBase, 'PATCH', `/api/v1/tenants/${tenant.tenantId}/provisioning/scim`, tenant.adminToken, { newUsersVisibleInDirectory: true });
      try {
        const user = await idpUser();
        // The user and its visibility are two events; the read model shows both shortly.
        await eventually(async () => expect((await api<User>('GET', `/users/${user.userId}`)).body.visibleInDirectory).toBe(true));
      } finally {
        await stack.admin(stack.scimBase, 'PATCH', `/api/v1/tenants/${tenant.tenantId}/provisioning/scim`, tenant.adminToken, { newUsersVisibleInDirectory: false });
      }
    });

    it('lists users for admins with search, filters, sorting and paging', async () => {
      const tag = randomUUID().slice(0, 6);
      for (const index of [1, 2, 3]) await adminUser(`list${tag}.${index}@contoso.com`);
      const first = await api<Page<User>>('GET', `/users?q=list${tag}&sort=-userName&limit=2`);
      expect(first.body.total).toBe(3);
      expect(first.body.items.map((user) => user.userName)).toEqual([`list${tag}.3@contoso.com`, `list${tag}.2@contoso.com`]);
      const second = await api<Page<User>>('GET', `/users?q=list${tag}&sort=-userName&limit=2&offset=2`);
      expect(second.body.items.map((user) => user.userName)).toEqual([`list${tag}.1@contoso.com`]);
      expect((await api<Page<User>>('GET', `/users?q=list${tag}&owner=idp`)).body.total).toBe(0);
      expect((await api<Page<User>>('GET', `/users?q=list${tag}&status=active&source=admin-console`)).body.total).toBe(3);
      expect((await api('GET', '/users?sort=shoeSize')).status).toBe(400);
      // A full name, as an admin types it: every word starts one of the fields.
      expect((await api<Page<User>>('GET', `/users?q=${encodeURIComponent(`Ada Admin list${tag}`)}`)).body.total).toBe(3);
      expect((await api<Page<User>>('GET', `/users?q=${encodeURIComponent(`Ada Nobody list${tag}`)}`)).body.total).toBe(0);
    });
  });

  describe('sites', () => {
    it('takes the company id in upper case as the same company: the same site name is still taken', async () => {
      const name = `Lyon ${randomUUID().slice(0, 4)}`;
      expect((await api('POST', '/sites', { name })).status).toBe(201);
      const upper = <T,>(method: string, path: string, body?: unknown) => stack.admin<T>(stack.directoryUrl, method, `/api/v1/tenants/${tenant.tenantId.toUpperCase()}${path}`, tenant.adminToken, body);
      expect((await upper('POST', '/sites', { name })).status).toBe(409);
      expect((await upper<Page<{ name: string }>>('GET', '/sites?limit=200')).body.items.map((site) => site.name)).toContain(name);
    });

    it('keeps an old site name as an alias that SCIM still matches after a rename', async () => {
      const name = `Berlin ${randomUUID().slice(0, 4)}`;
      const site = await api<{ siteId: string }>('POST', '/sites', { name });
      await eventually(async () => {
        const rows = await stack.scimService.infrastructure.dataSource.query(`SELECT 1 FROM scim.site_names WHERE site_id = $1`, [site.body.siteId]);
        expect(rows).toHaveLength(1);
      });
      const user = await scim<{ id: string }>('POST', '/Users', azure.createUser(`berlin.${randomUUID()}@contoso.com`, name));
      expect((await api('PATCH', `/sites/${site.body.siteId}`, { name: `${name} Campus` })).status).toBe(200);
      await eventually(async () => {
        const rows = await stack.scimService.infrastructure.dataSource.query(`SELECT 1 FROM scim.site_names WHERE site_id = $1 AND current AND name = $2`, [
          site.body.siteId,
          `${name} Campus`,
        ]);
        expect(rows).toHaveLength(1);
      });
      // Azure still sends the old name: the same site, accepted, for existing and new users alike.
      expect((await scim<Record<string, unknown>>('GET', `/Users/${user.body.id}`)).body[SITE_8X8]).toEqual({ site: `${name} Campus` });
      const patched = await scim<Record<string, unknown>>('PATCH', `/Users/${user.body.id}`, {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
        Operations: [{ op: 'Replace', path: `${SITE_8X8}:site`, value: name }],
      });
      expect(patched.status).toBe(200);
      // A different site is still refused once the site is set.
      const moved = await scim<Record<string, unknown>>('PATCH', `/Users/${user.body.id}`, {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
        Operations: [{ op: 'Replace', path: `${SITE_8X8}:site`, value: 'Paris' }],
      });
      expect(moved.body.scimType).toBe('mutability');
      const newcomer = await scim<Record<string, unknown>>('POST', '/Users', azure.createUser(`berlin2.${randomUUID()}@contoso.com`, name));
      expect(newcomer.status).toBe(201);
      expect(newcomer.body[SITE_8X8]).toEqual({ site: `${name} Campus` });
      expect((await api<{ formerNames: string[] }>('GET', `/sites/${site.body.siteId}`)).body.formerNames).toEqual([name]);
      // The admin sees whose IdP still sends the old name; sending the new one clears it.
      const stale = () =>
        stack.admin<{ items: { userId: string; sentName: string; currentName: string }[] }>(
          stack.scimBase,
          'GET',
          `/api/v1/tenants/${tenant.tenantId}/provisioning/stale-site-names?limit=500&sort=userName`,
          tenant.adminToken,
        );
      expect((await stale()).body.items.filter((item) => item.currentName === `${name} Campus`).map((item) => item.sentName)).toEqual([name, name]);
      // A change that does not name the site leaves what the IdP last sent for it on record.
      const retitled = await scim('PATCH', `/Users/${user.body.id}`, {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
        Operations: [{ op: 'Replace', path: 'title', value: 'Site lead' }],
      });
      expect(retitled.status).toBe(200);
      expect((await stale()).body.items.map((item) => item.userId)).toContain(user.body.id);
      const current = await scim('PATCH', `/Users/${user.body.id}`, {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
        Operations: [{ op: 'Replace', path: `${SITE_8X8}:site`, value: `${name} Campus` }],
      });
      expect(current.status).toBe(200);
      expect((await stale()).body.items.map((item) => item.userId)).not.toContain(user.body.id);
      expect((await api('POST', '/sites', { name: name.toUpperCase() })).status).toBe(409);
      // Renamed back: the name is its own again, and the one it had is the former one.
      expect((await api('PATCH', `/sites/${site.body.siteId}`, { name })).status).toBe(200);
      expect((await api<{ formerNames: string[] }>('GET', `/sites/${site.body.siteId}`)).body.formerNames).toEqual([`${name} Campus`]);
      // Renamed in case alone: names match exactly, so the old spelling stays a former name that still finds the site.
      expect((await api('PATCH', `/sites/${site.body.siteId}`, { name: name.toUpperCase() })).status).toBe(200);
      expect((await api<{ formerNames: string[] }>('GET', `/sites/${site.body.siteId}`)).body.formerNames.sort()).toEqual([`${name} Campus`, name].sort());
    });
  });

  describe('bulk edit by CSV', () => {
    it('reports row by row, dry run first, and never half-applies a row', async () => {
      const a = await adminUser();
      const b = await idpUser();
      const csv = [
        'userName,title,department,site,visibleInDirectory,familyName',
        `${a.userName},Lead,Ops,Paris,false,`,
        `${b.userName},Chief,,,,Renamed`,
        `nobody.${randomUUID()}@contoso.com,X,,,,`,
        `${a.userName.toUpperCase()},,,,maybe,`,
        `${b.userName},Chief,,,,`,
      ].join('\n');
      const post = (dryRun: boolean) =>
        fetch(`${stack.directoryUrl}/api/v1/tenants/${tenant.tenantId}/users/bulk?dryRun=${dryRun}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${tenant.adminToken}`, 'content-type': 'text/csv' },
          body: csv,
        }).then(async (response) => ({ status: response.status, body: (await response.json()) as { summary: Record<string, number>; results: { line: number; outcome: string; changes: string[]; error?: string }[] } }));
      const preview = await post(true);
      expect(preview.status).toBe(201);
      expect(preview.body.results.map((row) => [row.line, row.outcome])).toEqual([
        [2, 'would-update'],
        [3, 'error'],
        [4, 'error'],
        [5, 'error'],
        [6, 'would-update'],
      ]);
      expect(preview.body.results[0].changes.sort()).toEqual(['department', 'site', 'title', 'visibleInDirectory']);
      expect(preview.body.results[1].error).toContain('identity provider');
      expect((await api<User>('GET', `/users/${a.userId}`)).body.title).toBe('Clerk');
      const applied = await post(false);
      expect(applied.body.summary).toEqual({ updated: 2, wouldUpdate: 0, unchanged: 0, errors: 3 });
      expect((await api<User>('GET', `/users/${a.userId}`)).body).toMatchObject({ title: 'Lead', site: { name: 'Paris' }, visibleInDirectory: false });
      expect((await api<User>('GET', `/users/${b.userId}`)).body).toMatchObject({ title: 'Chief' });
      const again = await post(false);
      expect(again.body.summary).toEqual({ updated: 0, wouldUpdate: 0, unchanged: 2, errors: 3 });
      const bad = await fetch(`${stack.directoryUrl}/api/v1/tenants/${tenant.tenantId}/users/bulk`, {
        method: 'POST',
        headers: { authorization: `Bearer ${tenant.adminToken}`, 'content-type': 'text/csv' },
        body: 'userName,shoeSize\nx,42',
      });
      expect(bad.status).toBe(400);
      expect(((await bad.json()) as { detail: string }).detail).toContain('shoeSize');
    });

    it('previews a user’s later rows on what the earlier ones would do, as the real run applies them', async () => {
      const user = await adminUser();
      const csv = [
        'userName,title,site',
        `${user.userName},Lead,Paris`,
        `${user.userName},Lead,Paris`,
        // The same user in another case: a different site once one is set is refused.
        `${user.userName.toUpperCase()},Boss,London`,
        `${user.userName},Boss,`,
      ].join('\n');
      const post = async (dryRun: boolean) => {
        const response = await fetch(`${stack.directoryUrl}/api/v1/tenants/${tenant.tenantId}/users/bulk?dryRun=${dryRun}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${tenant.adminToken}`, 'content-type': 'text/csv' },
          body: csv,
        });
        return ((await response.json()) as { results: { outcome: string; changes: string[] }[] }).results.map(({ outcome, changes }) => [outcome, changes.sort()]);
      };
      const preview = await post(true);
      expect(preview).toEqual([
        ['would-update', ['site', 'title']],
        ['unchanged', []],
        ['error', []],
        ['would-update', ['title']],
      ]);
      expect((await api<User>('GET', `/users/${user.userId}`)).body).toMatchObject({ title: 'Clerk', site: null });
      expect(await post(false)).toEqual(preview.map(([outcome, changes]) => [outcome === 'would-update' ? 'updated' : outcome, changes]));
      expect((await api<User>('GET', `/users/${user.userId}`)).body).toMatchObject({ title: 'Boss', site: { name: 'Paris' } });
    });

    it('holds CSV values to the admin API’s limits, with a row error naming the field', async () => {
      const user = await adminUser();
      const response = await fetch(`${stack.directoryUrl}/api/v1/tenants/${tenant.tenantId}/users/bulk`, {
        method: 'POST',
        headers: { authorization: `Bearer ${tenant.adminToken}`, 'content-type': 'text/csv' },
        body: `userName,title,mobilePhone\n${user.userName},${'T'.repeat(257)},+1555`,
      });
      const body = (await response.json()) as { results: { outcome: string; error?: string }[] };
      expect(body.results).toEqual([expect.objectContaining({ outcome: 'error', error: expect.stringContaining('title is longer than 256') })]);
      expect((await api<User>('GET', `/users/${user.userId}`)).body.title).toBe('Clerk');
    });
  });

  describe('admin tokens and tenant isolation', () => {
    it('issues, lists (without secrets) and revokes admin tokens', async () => {
      const issued = await api<{ tokenId: string; token: string }>('POST', '/admin-tokens', { label: 'automation' });
      expect(issued.status).toBe(201);
      expect((await api('GET', '/users?limit=1', undefined, issued.body.token)).status).toBe(200);
      const listed = await api<{ items: Record<string, unknown>[] }>('GET', '/admin-tokens');
      expect(listed.body.items.find((item) => item.tokenId === issued.body.tokenId)).toEqual(expect.objectContaining({ label: 'automation', revokedAt: null }));
      expect(JSON.stringify(listed.body)).not.toContain(issued.body.token);
      expect((await api('DELETE', `/admin-tokens/${issued.body.tokenId}`)).status).toBe(204);
      expect((await api('GET', '/users?limit=1', undefined, issued.body.token)).status).toBe(401);
      const unlabelled = await api<{ title: string }>('POST', '/admin-tokens', { label: null });
      expect(unlabelled.status).toBe(400);
    });

    it('pages and sorts the token and company lists like every list, and refuses a sort it does not know', async () => {
      for (const label of ['zulu', 'alpha', 'mike']) expect((await api('POST', '/admin-tokens', { label })).status).toBe(201);
      const labels = async (query: string) => (await api<{ items: { label: string }[]; total: number; offset: number; limit: number }>('GET', `/admin-tokens?${query}`)).body;
      const byLabel = await labels('sort=label&limit=500');
      expect(byLabel.items.map((item) => item.label)).toEqual([...byLabel.items.map((item) => item.label)].sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase())));
      const newestFirst = await labels('sort=-issuedAt&limit=2');
      expect(newestFirst).toMatchObject({ items: [{ label: 'mike' }, { label: 'alpha' }], total: byLabel.total, offset: 0, limit: 2 });
      expect((await labels('sort=-issuedAt&offset=2&limit=1')).items).toEqual([expect.objectContaining({ label: 'zulu' })]);
      for (const query of ['sort=tokenHash', 'limit=0', 'limit=501', 'offset=-1']) expect({ query, status: (await api('GET', `/admin-tokens?${query}`)).status }).toEqual({ query, status: 400 });

      const companies = async (query: string) =>
        (await stack.admin<{ items: { name: string; createdAt: string }[]; total: number }>(stack.directoryUrl, 'GET', `/api/v1/tenants?${query}`, TEST_PLATFORM_TOKEN)).body;
      const newest = await companies('sort=-createdAt&limit=500');
      expect(newest.items.map((item) => item.createdAt)).toEqual([...newest.items.map((item) => item.createdAt)].sort().reverse());
      expect((await stack.admin(stack.directoryUrl, 'GET', '/api/v1/tenants?sort=secret', TEST_PLATFORM_TOKEN)).status).toBe(400);
    });

    it('answers 404 on every tenant route to another tenant’s admin token, and changes nothing', async () => {
      const other = await stack.tenant({ sites: ['Rome'] });
      const user = await adminUser();
      const site = (await api<{ items: { siteId: string }[] }>('GET', '/sites')).body.items[0];
      const ids: Record<string, string> = { userId: user.userId, siteId: site.siteId, tokenId: randomUUID() };
      const before = await stack.scimService.infrastructure.dataSource.query(`SELECT count(*)::int AS n FROM event_store.events`);
      const routes = [...stack.tenantRoutes()];
      expect(routes.length).toBeGreaterThanOrEqual(15);
      for (const route of routes) {
        const path = route.path.replace(':tenantId', tenant.tenantId).replace(/:(\w+)/g, (_, name: string) => ids[name] ?? randomUUID());
        const response = await stack.admin(route.base, route.method, path, other.adminToken, route.method === 'GET' || route.method === 'DELETE' ? undefined : {});
        expect({ route: `${route.method} ${route.path}`, status: response.status }).toEqual({ route: `${route.method} ${route.path}`, status: 404 });
      }
      const after = await stack.scimService.infrastructure.dataSource.query(`SELECT count(*)::int AS n FROM event_store.events`);
      expect(after[0].n).toBe(before[0].n);
    });
  });

  it('rebuilds directory.users from the event store (creations batched) into exactly the rows the live projection made', async () => {
    const scim = scimClient(tenant);
    for (let index = 0; index < 12; index++) {
      const created = await scim<{ id: string }>('POST', '/Users', azure.createUser(`rebuild.${index}.${randomUUID().slice(0, 6)}@contoso.com`));
      if (index % 3 === 0) await scim('PATCH', `/Users/${created.body.id}`, { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'Replace', path: 'title', value: 'Lead' }] });
    }
    const dataSource = stack.directoryService.infrastructure.dataSource;
    const rows = () => dataSource.query(`SELECT * FROM directory.users ORDER BY user_id`);
    // The live projection has caught up when every user stream is applied to its last version.
    await eventually(async () => {
      const [{ behind }] = await dataSource.query(
        `SELECT count(*)::int AS behind FROM event_store.streams s
           LEFT JOIN directory.projection_progress p ON p.projection = 'directory.users' AND p.aggregate_id = substring(s.stream_id from 6)
          WHERE s.stream_type = 'user' AND coalesce(p.version, 0) < s.version`,
      );
      expect(behind).toBe(0);
    });
    const live = await rows();
    const result = await rebuildProjection(dataSource, directoryUsersProjection, publishAsIs);
    expect(result.eventsApplied).toBeGreaterThan(12);
    expect(await rows()).toEqual(live);
  });
});

