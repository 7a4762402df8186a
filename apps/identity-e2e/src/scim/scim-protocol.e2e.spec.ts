import { randomUUID } from 'node:crypto';
import { eventually } from '@identity/platform-testing';
import { azure } from '../support/azure-ad.requests';
import { PATCH_OP, IdentityStack, scimClient, SITE_8X8, SITE_PRODUCT, type ScimTenant } from '../support/identity-stack';

type Resource = Record<string, unknown> & { id: string; userName: string };
type List = { totalResults: number; Resources: Resource[]; startIndex: number; itemsPerPage: number };
const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

describe('SCIM protocol rules (RFC 7643/7644) and the user aggregate’s rules over SCIM', () => {
  const stack = new IdentityStack();
  let tenant: ScimTenant;
  let other: ScimTenant;
  let scim: ReturnType<typeof scimClient>;

  beforeAll(async () => {
    await stack.start();
    [tenant, other] = [await stack.tenant(), await stack.tenant()];
    scim = scimClient(tenant);
  });

  afterAll(() => stack.stop());

  const create = async (userName = `u.${randomUUID()}@contoso.com`, site = 'London') => (await scim<Resource>('POST', '/Users', azure.createUser(userName, site))).body;
  const eventCount = async () =>
    Number((await stack.scimService.infrastructure.dataSource.query(`SELECT count(*)::int AS n FROM event_store.events`))[0].n);

  describe('authentication and tenant isolation', () => {
    it('answers 401 with WWW-Authenticate for a missing, wrong or other tenant’s token', async () => {
      for (const token of ['', 'wrong', other.scimToken]) {
        const response = await scimClient({ ...tenant, scimToken: token })<Record<string, unknown>>('GET', '/Users');
        expect(response.status).toBe(401);
        expect(response.headers.get('www-authenticate')).toContain('Bearer');
        expect(response.body).toMatchObject({ schemas: [ERROR], status: '401' });
      }
    });

    it('takes the tenant URL with the company id in upper case as the same company', async () => {
      const user = await create();
      const upper = await fetch(`${stack.scimBase}/scim/v2/${tenant.tenantId.toUpperCase()}/Users/${user.id}`, { headers: { authorization: `Bearer ${tenant.scimToken}` } });
      expect(upper.status).toBe(200);
      const created = await scimClient({ ...tenant, scimUrl: tenant.scimUrl.replace(tenant.tenantId, tenant.tenantId.toUpperCase()) })<Resource>('POST', '/Users', azure.createUser(`upper.${randomUUID()}@contoso.com`));
      expect(created.status).toBe(201);
      const [stored] = await stack.scimService.infrastructure.dataSource.query(`SELECT metadata->>'tenantId' AS tenant FROM event_store.events WHERE stream_id = $1`, [`user-${created.body.id}`]);
      expect(stored.tenant).toBe(tenant.tenantId);
      // Percent-encoded, under a prefix in upper case, and with the user's id in upper case: the same company and user.
      const encoded = tenant.tenantId.replace(/[a-f]/g, (letter) => `%${letter.charCodeAt(0).toString(16).toUpperCase()}`);
      const spelled = scimClient({ ...tenant, scimUrl: tenant.scimUrl.replace(`/scim/v2/${tenant.tenantId}`, `/SCIM/V2/${encoded}`) });
      const name = `Sales ${randomUUID()}`;
      expect((await scim('POST', '/Groups', azure.createGroup(name))).status).toBe(201);
      expect((await spelled<Record<string, unknown>>('POST', '/Groups', azure.createGroup(name))).body).toMatchObject({ status: '409', scimType: 'uniqueness' });
      expect((await spelled('PATCH', `/Users/${created.body.id.toUpperCase()}`, azure.disableDefault)).status).toBe(200);
      expect((await scim<{ active: boolean }>('GET', `/Users/${created.body.id}`)).body.active).toBe(false);
    });

    it('answers 404 for another tenant’s user and group ids, and never lists them', async () => {
      const theirs = await scimClient(other)<Resource>('POST', '/Users', azure.createUser(`theirs.${randomUUID()}@fabrikam.com`));
      const theirGroup = await scimClient(other)<Resource>('POST', '/Groups', azure.createGroup(`G ${randomUUID()}`));
      expect((await scim('GET', `/Users/${theirs.body.id}`)).status).toBe(404);
      expect((await scim('PATCH', `/Users/${theirs.body.id}`, azure.disableDefault)).status).toBe(404);
      expect((await scim('DELETE', `/Users/${theirs.body.id}`)).status).toBe(404);
      expect((await scim('GET', `/Groups/${theirGroup.body.id}`)).status).toBe(404);
      const listed = await scim<List>('GET', `/Users?filter=${encodeURIComponent(`userName eq "${theirs.body.userName}"`)}`);
      expect(listed.body.totalResults).toBe(0);
    });

    it('refuses a username held in another tenant with a plain uniqueness conflict', async () => {
      const userName = `shared.${randomUUID()}@example.com`;
      await scimClient(other)('POST', '/Users', azure.createUser(userName));
      const clash = await scim<Record<string, unknown>>('POST', '/Users', azure.createUser(userName.toUpperCase()));
      expect(clash.status).toBe(409);
      expect(clash.body).toEqual({ schemas: [ERROR], status: '409', scimType: 'uniqueness', detail: `userName "${userName.toUpperCase()}" is already taken` });
    });

    it('rotates the token with an overlap, revokes it, and a disabled integration lets nobody in', async () => {
      const admin = (method: string, path: string, body?: unknown) =>
        stack.admin<Record<string, unknown>>(stack.scimBase, method, `/api/v1/tenants/${other.tenantId}/provisioning${path}`, other.adminToken, body);
      // A mistaken overlap is refused, not taken as "none": the live token keeps working.
      for (const overlapSeconds of [null, '1d', -1]) expect({ overlapSeconds, status: (await admin('POST', '/scim/token', { overlapSeconds })).status }).toEqual({ overlapSeconds, status: 400 });
      expect((await scimClient(other)('GET', '/Users')).status).toBe(200);
      // So is a log filter date PostgreSQL would refuse.
      for (const from of ['2024', '2024-06', '2024-W05', '0000-01-01', '2024-02-31']) expect({ from, status: (await admin('GET', `/logs?from=${from}`)).status }).toEqual({ from, status: 400 });
      expect((await admin('GET', `/logs?from=2024-02-29&to=${encodeURIComponent('2099-01-01T00:00:00Z')}`)).status).toBe(200);
      const rotated = await admin('POST', '/scim/token', { overlapSeconds: 3600 });
      const fresh = scimClient({ ...other, scimToken: String(rotated.body.token) });
      expect((await fresh('GET', '/Users')).status).toBe(200);
      expect((await scimClient(other)('GET', '/Users')).status).toBe(200); // the old token still works in the overlap
      expect((await admin('GET', '')).body.tokens).toHaveLength(2);
      const immediate = await admin('POST', '/scim/token', { overlapSeconds: 0 });
      expect((await fresh('GET', '/Users')).status).toBe(401);
      const newest = scimClient({ ...other, scimToken: String(immediate.body.token) });
      expect((await newest('GET', '/Users')).status).toBe(200);
      expect((await admin('DELETE', '/scim/token')).status).toBe(204);
      expect((await newest('GET', '/Users')).status).toBe(401);
      const reenabled = await admin('PUT', '/scim', { idp: 'azure-ad' });
      const reopened = scimClient({ ...other, scimToken: String(reenabled.body.token) });
      expect((await reopened('GET', '/Users')).status).toBe(200);
      expect((await admin('DELETE', '/scim')).status).toBe(204);
      expect((await reopened('GET', '/Users')).status).toBe(401);
      expect((await admin('GET', '')).body).toMatchObject({ enabled: false, idp: 'azure-ad' });
      // A tenant admin of one company cannot touch another's integration.
      const foreign = await stack.admin(stack.scimBase, 'GET', `/api/v1/tenants/${tenant.tenantId}/provisioning`, other.adminToken);
      expect(foreign.status).toBe(404);
    });
  });

  describe('site attribute', () => {
    it('refuses an unknown site with invalidValue naming it, and stores nothing', async () => {
      const before = await eventCount();
      const response = await scim<Record<string, unknown>>('POST', '/Users', azure.createUser(`s.${randomUUID()}@contoso.com`, 'Atlantis'));
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({ scimType: 'invalidValue', detail: expect.stringContaining('"Atlantis"') });
      expect(await eventCount()).toBe(before);
    });

    it('accepts the same site again, refuses a different one (mutability), under either URN', async () => {
      const user = await create();
      const same = await scim('PATCH', `/Users/${user.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'Replace', path: `${SITE_8X8}:site`, value: 'London' }] });
      expect(same.status).toBe(200);
      const different = await scim<Record<string, unknown>>('PATCH', `/Users/${user.id}`, {
        schemas: [PATCH_OP],
        Operations: [{ op: 'replace', path: `${SITE_PRODUCT}:site`, value: 'Paris' }],
      });
      expect(different.status).toBe(400);
      expect(different.body.scimType).toBe('mutability');
      const viaPut = await scim<Record<string, unknown>>('PUT', `/Users/${user.id}`, { ...azure.createUser(user.userName, 'Paris') });
      expect(viaPut.status).toBe(400);
      expect(viaPut.body.scimType).toBe('mutability');
      expect((await scim<Record<string, unknown>>('GET', `/Users/${user.id}`)).body[SITE_PRODUCT]).toEqual({ site: 'London' });
    });

    it('refuses to remove the site, or to blank it, once set (mutability), under either URN', async () => {
      const user = await create();
      for (const operation of [
        { op: 'remove', path: `${SITE_PRODUCT}:site` },
        { op: 'Remove', path: `${SITE_8X8}:site` },
        { op: 'replace', path: `${SITE_8X8}:site`, value: null },
        { op: 'replace', path: `${SITE_PRODUCT}:site`, value: '' },
        // With its whole extension, under either name (the other name still shows it).
        { op: 'remove', path: SITE_PRODUCT },
        { op: 'remove', path: SITE_8X8 },
        { op: 'replace', path: SITE_8X8, value: null },
        { op: 'replace', value: { [SITE_PRODUCT]: null } },
      ]) {
        const response = await scim<Record<string, unknown>>('PATCH', `/Users/${user.id}`, { schemas: [PATCH_OP], Operations: [operation] });
        expect({ operation, status: response.status, scimType: response.body.scimType }).toEqual({ operation, status: 400, scimType: 'mutability' });
      }
      expect((await scim<Record<string, unknown>>('GET', `/Users/${user.id}`)).body[SITE_PRODUCT]).toEqual({ site: 'London' });
    });

    it('sets the site later when the user had none, from a flat URN-qualified key', async () => {
      const body = azure.createUser(`late.${randomUUID()}@contoso.com`);
      delete (body as Record<string, unknown>)[SITE_8X8];
      const { body: user } = await scim<Resource>('POST', '/Users', body);
      const patched = await scim<Record<string, unknown>>('PATCH', `/Users/${user.id}`, {
        schemas: [PATCH_OP],
        Operations: [{ op: 'add', value: { [`${SITE_PRODUCT}:site`]: 'Paris' } }],
      });
      expect(patched.body[SITE_8X8]).toEqual({ site: 'Paris' });
    });
  });

  describe('ETags, pagination, sorting, attributes and filters', () => {
    it('honours If-Match (412 on a stale version) and If-None-Match', async () => {
      const user = await create();
      const etag = (await scim('GET', `/Users/${user.id}`)).headers.get('etag')!;
      const strong = etag.replace(/^W\//, '');
      for (const ifNoneMatch of [etag, strong, '*', `W/"999", ${etag}`]) {
        const unchanged = await scim('GET', `/Users/${user.id}`, undefined, { 'if-none-match': ifNoneMatch });
        expect({ ifNoneMatch, status: unchanged.status, etag: unchanged.headers.get('etag') }).toEqual({ ifNoneMatch, status: 304, etag });
      }
      expect((await scim('GET', `/Users/${user.id}`, undefined, { 'if-none-match': 'W/"999"' })).status).toBe(200);
      expect((await scim('PATCH', `/Users/${user.id}`, azure.disableFlagged, { 'if-match': etag })).status).toBe(200);
      const stale = await scim<Record<string, unknown>>('PATCH', `/Users/${user.id}`, azure.enableDefault, { 'if-match': etag });
      expect(stale.status).toBe(412);
      expect(stale.body.schemas).toEqual([ERROR]);

      const group = (await scim<Resource>('POST', '/Groups', azure.createGroup(`G ${randomUUID()}`))).body;
      const groupEtag = (await scim('GET', `/Groups/${group.id}`)).headers.get('etag')!;
      expect((await scim('GET', `/Groups/${group.id}`, undefined, { 'if-none-match': groupEtag })).status).toBe(304);
    });

    it('gives a new ETag and lastModified when the user’s site is renamed, which the user’s own version does not show, and takes the ETag in If-Match', async () => {
      const company = await stack.tenant({ sites: [`Leeds ${randomUUID()}`] });
      const [siteName] = Object.keys(company.siteIds);
      const client = scimClient(company);
      const user = (await client<Resource>('POST', '/Users', azure.createUser(`u.${randomUUID()}@contoso.com`, siteName))).body;
      const created = await client<Resource & { meta: { lastModified: string } }>('GET', `/Users/${user.id}`);
      const etag = created.headers.get('etag')!;
      const createdAt = created.body.meta.lastModified;
      expect((await client('GET', `/Users/${user.id}`, undefined, { 'if-none-match': etag })).status).toBe(304);
      const renamed = `York ${randomUUID()}`;
      expect((await stack.admin(stack.directoryUrl, 'PATCH', `/api/v1/tenants/${company.tenantId}/sites/${company.siteIds[siteName]}`, company.adminToken, { name: renamed })).status).toBe(200);
      await eventually(async () => {
        const answer = await client<Record<string, Record<string, string>>>('GET', `/Users/${user.id}`, undefined, { 'if-none-match': etag });
        expect({ status: answer.status, site: answer.body?.[SITE_8X8]?.site }).toEqual({ status: 200, site: renamed });
      });
      const current = await client<Resource & { meta: { version: string; lastModified: string } }>('GET', `/Users/${user.id}`);
      const renamedEtag = current.headers.get('etag')!;
      expect(renamedEtag).toMatch(/^W\/"\d+-[0-9a-f]{8}"$/);
      expect(current.body.meta.version).toBe(renamedEtag);
      // The rename changed the representation, so it is the user's last modification, and a filter on it agrees.
      expect(Date.parse(current.body.meta.lastModified)).toBeGreaterThan(Date.parse(createdAt));
      const since = await client<{ Resources: Resource[] }>('GET', `/Users?filter=${encodeURIComponent(`meta.lastModified gt "${createdAt}" and id eq "${user.id}"`)}`);
      expect(since.body.Resources.map((found) => found.id)).toEqual([user.id]);
      expect((await client('GET', `/Users/${user.id}`, undefined, { 'if-none-match': renamedEtag })).status).toBe(304);
      expect((await client('PATCH', `/Users/${user.id}`, azure.disableFlagged, { 'if-match': renamedEtag })).status).toBe(200);
    });

    it('returns a group’s members under any name for them, and never a user the IdP deleted', async () => {
      const [kept, gone] = [await create(), await create()];
      const group = (await scim<Resource>('POST', '/Groups', azure.createGroup(`G ${randomUUID()}`))).body;
      expect((await scim('PATCH', `/Groups/${group.id}`, azure.addMembers([kept.id, gone.id]))).status).toBe(204);
      const members = async (query = '') => ((await scim<{ members?: { value: string }[] }>('GET', `/Groups/${group.id}${query}`)).body.members ?? []).map((member) => member.value).sort();
      for (const name of ['members', 'urn:ietf:params:scim:schemas:core:2.0:Group:members', 'members.value']) {
        expect(await members(`?attributes=${encodeURIComponent(name)}`)).toEqual([kept.id, gone.id].sort());
      }
      expect((await scim('DELETE', `/Users/${gone.id}`)).status).toBe(204);
      await eventually(async () => expect(await members()).toEqual([kept.id]));
      const readded = await scim<Record<string, unknown>>('PATCH', `/Groups/${group.id}`, azure.addMembers([gone.id]));
      expect({ status: readded.status, scimType: readded.body.scimType }).toEqual({ status: 400, scimType: 'invalidValue' });
    });

    it('a PATCH that adds a member already in the group or removes one who is not stores nothing and keeps the ETag', async () => {
      const [ann, bob] = [await create(), await create()];
      const group = (await scim<Resource>('POST', '/Groups', azure.createGroup(`G ${randomUUID()}`))).body;
      expect((await scim('PATCH', `/Groups/${group.id}`, azure.addMembers([ann.id]))).status).toBe(204);
      const etag = (await scim('GET', `/Groups/${group.id}`)).headers.get('etag');
      const before = await eventCount();
      // Entra re-adds every member at each full cycle; its two ways of removing one.
      for (const body of [azure.addMembers([ann.id]), azure.removeMembersDefault([bob.id]), azure.removeMemberFlagged(bob.id)]) {
        const response = await scim('PATCH', `/Groups/${group.id}`, body);
        expect({ status: response.status, etag: response.headers.get('etag') }).toEqual({ status: 204, etag });
      }
      expect(await eventCount()).toBe(before);
      // A real change still is one, and only what changed is stored.
      expect((await scim('PATCH', `/Groups/${group.id}`, azure.addMembers([ann.id, bob.id]))).status).toBe(204);
      const stored = await stack.scimService.infrastructure.dataSource.query(
        `SELECT event_type, data FROM event_store.events WHERE stream_id = $1 ORDER BY stream_version DESC LIMIT 1`,
        [`group-${group.id}`],
      );
      expect(stored).toEqual([{ event_type: 'GroupMembersAdded', data: { groupId: group.id, userIds: [bob.id] } }]);
    });

    it('takes member ids in upper case, excludes only the members a filter names, and reads parameter names in any case', async () => {
      const [ann, bob] = [await create(), await create()];
      const group = (await scim<Resource>('POST', '/Groups', azure.createGroup(`G ${randomUUID()}`))).body;
      expect((await scim('PATCH', `/Groups/${group.id}`, azure.addMembers([ann.id.toUpperCase(), bob.id]))).status).toBe(204);
      const members = async (query: string) => ((await scim<{ members?: { value: string }[] }>('GET', `/Groups/${group.id}${query}`)).body.members ?? []).map((member) => member.value).sort();
      expect(await members('')).toEqual([ann.id, bob.id].sort());
      expect(await members(`?excludedAttributes=${encodeURIComponent(`members[value eq "${ann.id}"]`)}`)).toEqual([bob.id]);
      expect(await members('?excludedattributes=members')).toEqual([]);
      expect((await scim('PATCH', `/Groups/${group.id}`, azure.removeMemberFlagged(bob.id.toUpperCase()))).status).toBe(204);
      expect(await members('')).toEqual([ann.id]);
    });

    it('finds a group or user by the name it was created with, though the name is stored trimmed', async () => {
      const name = `Sales ${randomUUID()} `;
      const created = await scim<Resource>('POST', '/Groups', azure.createGroup(name));
      expect(created.status).toBe(201);
      const found = await scim<List>('GET', `/Groups?excludedAttributes=members&filter=${encodeURIComponent(`displayName eq "${name}"`)}`);
      expect(found.body.Resources.map((group) => group.id)).toEqual([created.body.id]);
      const user = await create();
      const byName = await scim<List>('GET', `/Users?filter=${encodeURIComponent(`userName eq " ${user.userName} "`)}`);
      expect(byName.body.Resources.map((resource) => resource.id)).toEqual([user.id]);
    });

    it('finds groups by their members in SQL, by id or userName, alone or with the group’s own attributes', async () => {
      const [ann, bob, carl] = [await create(`ann.${randomUUID()}@contoso.com`), await create(), await create()];
      const [sales, support] = [
        (await scim<Resource>('POST', '/Groups', azure.createGroup(`Sales ${randomUUID()}`))).body,
        (await scim<Resource>('POST', '/Groups', azure.createGroup(`Support ${randomUUID()}`))).body,
      ];
      expect((await scim('PATCH', `/Groups/${sales.id}`, azure.addMembers([ann.id, bob.id]))).status).toBe(204);
      expect((await scim('PATCH', `/Groups/${support.id}`, azure.addMembers([bob.id]))).status).toBe(204);
      const ids = async (expression: string) => {
        const response = await scim<List>('GET', `/Groups?excludedAttributes=members&filter=${encodeURIComponent(expression)}`);
        expect(response.status).toBe(200);
        expect(response.body.Resources.every((group) => !('members' in group))).toBe(true);
        return response.body.Resources.map((group) => group.id).sort();
      };
      expect(await ids(`members[value eq "${ann.id}"]`)).toEqual([sales.id]);
      expect(await ids(`members.value eq "${bob.id}"`)).toEqual([sales.id, support.id].sort());
      expect(await ids(`members eq "${carl.id}"`)).toEqual([]);
      expect(await ids(`id eq "${support.id}" and members[value eq "${bob.id}"]`)).toEqual([support.id]);
      expect(await ids(`id eq "${support.id}" and members[value eq "${ann.id}"]`)).toEqual([]);
      expect(await ids(`members[display eq "${ann.userName.toUpperCase()}"]`)).toEqual([sales.id]);
      expect(await ids(`(id eq "${sales.id}" or id eq "${support.id}") and not (members[value eq "${ann.id}"])`)).toEqual([support.id]);
      // A member the IdP deleted is no longer a member to find.
      expect((await scim('DELETE', `/Users/${ann.id}`)).status).toBe(204);
      await eventually(async () => expect(await ids(`members[value eq "${ann.id}"]`)).toEqual([]));
      const bad = await scim<Record<string, unknown>>('GET', `/Groups?filter=${encodeURIComponent('members[type eq "User"]')}`);
      expect({ status: bad.status, scimType: bad.body.scimType }).toEqual({ status: 400, scimType: 'invalidFilter' });
    });

    it('a PATCH adding an untyped primary email (path or path-less) makes it the user’s email', async () => {
      for (const operation of [
        { op: 'add', path: 'emails', value: [{ value: 'first.new@contoso.com', primary: true }] },
        { op: 'Add', value: { emails: [{ value: 'second.new@contoso.com', primary: 'True' }] } },
      ]) {
        const user = await create();
        const patched = await scim<{ emails: { value: string }[] }>('PATCH', `/Users/${user.id}`, { schemas: [PATCH_OP], Operations: [operation] });
        expect(patched.status).toBe(200);
        const sent = ((operation.path ? operation.value : (operation.value as { emails: unknown[] }).emails) as { value: string }[])[0].value;
        expect(patched.body.emails.map((email) => email.value)).toEqual([sent]);
      }
    });

    it('pages with 1-based startIndex and sorts', async () => {
      const prefix = `page${randomUUID().slice(0, 6)}`;
      for (let index = 0; index < 12; index++) await create(`${prefix}.${String(index).padStart(2, '0')}@contoso.com`);
      const filter = encodeURIComponent(`userName sw "${prefix}"`);
      const names: string[] = [];
      for (const startIndex of [1, 6, 11]) {
        const page = await scim<List>('GET', `/Users?filter=${filter}&startIndex=${startIndex}&count=5&sortBy=userName&sortOrder=descending`);
        expect(page.body).toMatchObject({ totalResults: 12, startIndex, itemsPerPage: startIndex === 11 ? 2 : 5 });
        names.push(...page.body.Resources.map((user) => user.userName));
      }
      expect(names).toEqual([...names].sort().reverse());
      expect(new Set(names).size).toBe(12);
      const none = await scim<List>('GET', `/Users?filter=${filter}&count=0`);
      expect(none.body).toMatchObject({ totalResults: 12, itemsPerPage: 0, Resources: [] });
    });

    it('returns only the requested attributes (and always id, schemas, meta)', async () => {
      const user = await create();
      const response = await scim<Record<string, unknown>>('GET', `/Users/${user.id}?attributes=userName,emails`);
      expect(Object.keys(response.body).sort()).toEqual(['emails', 'id', 'meta', 'schemas', 'userName']);
      const excluded = await scim<Record<string, unknown>>('GET', `/Users/${user.id}?excludedAttributes=emails,phoneNumbers`);
      expect(excluded.body).not.toHaveProperty('emails');
      expect(excluded.body).toHaveProperty('userName');
    });

    it('evaluates the full filter grammar in SQL', async () => {
      const tag = randomUUID().slice(0, 8);
      const a = await create(`alpha.${tag}@contoso.com`);
      const b = await create(`beta.${tag}@fabrikam.com`);
      await scim('PATCH', `/Users/${b.id}`, azure.disableFlagged);
      const ids = async (expression: string) =>
        (await scim<List>('GET', `/Users?filter=${encodeURIComponent(expression)}`)).body.Resources.map((user) => user.id).sort();
      expect(await ids(`userName co "${tag}" and active eq true`)).toEqual([a.id]);
      expect(await ids(`userName co "${tag}" and not (active eq true)`)).toEqual([b.id]);
      expect(await ids(`(userName sw "alpha.${tag}" or userName ew "${tag}@fabrikam.com") and title pr`)).toEqual([a.id, b.id].sort());
      expect(await ids(`emails[type eq "work" and value co "@FABRIKAM"] and userName co "${tag}"`)).toEqual([b.id]);
      expect(await ids(`userName co "${tag}" and meta.lastModified gt "2000-01-01T00:00:00Z"`)).toEqual([a.id, b.id].sort());
      expect(await ids(`userName co "${tag}" and phoneNumbers[type eq "mobile"].value eq "+1 (555) 555-0100"`)).toEqual([a.id, b.id].sort());
    });

    it('rejects a malformed or unsupported filter with invalidFilter, never a 500', async () => {
      const dates = ['meta.lastModified gt "2011"', 'meta.created eq "0"', 'meta.lastModified gt "Jan 1"', 'meta.lastModified gt "+275760-09-13T00:00:00Z"', 'meta.lastModified gt "2026-02-30T00:00:00Z"', 'meta.created lt "0000-01-01T00:00:00Z"', 'meta.lastModified gt "2025-01-01T00:00:00+20:00"'];
      // Escapes that decode to what PostgreSQL refuses in a parameter (a %00 is refused before routing).
      const unstorable = ['userName eq "a\\u0000b"', 'userName eq "\\udc00"'];
      for (const expression of ['userName eq', 'userName zz "x"', 'nosuchattribute eq "x"', 'active gt true', '(((', '" or 1=1 --', ...dates, ...unstorable]) {
        const response = await scim<Record<string, unknown>>('GET', `/Users?filter=${encodeURIComponent(expression)}`);
        expect({ expression, status: response.status, scimType: response.body.scimType }).toEqual({ expression, status: 400, scimType: 'invalidFilter' });
      }
    });
  });

  describe('bad input', () => {
    it('answers malformed bodies in the SCIM error format and changes nothing', async () => {
      const user = await create();
      const before = await eventCount();
      const cases: [string, string, unknown][] = [
        ['POST', '/Users', '{"userName": '],
        ['POST', '/Users', { userName: '' }],
        ['POST', '/Users', { userName: 42 }],
        ['POST', '/Users', []],
        ['POST', '/Users', { userName: 'x'.repeat(300) }],
        ['PATCH', `/Users/${user.id}`, { Operations: [] }],
        ['PATCH', `/Users/${user.id}`, { schemas: [PATCH_OP], Operations: [] }],
        ['PATCH', `/Users/${user.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'explode', path: 'title' }] }],
        ['PATCH', `/Users/${user.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'remove' }] }],
        ['PATCH', `/Users/${user.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'active', value: 'maybe' }] }],
        ['PATCH', `/Users/${user.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'title', value: 'ok' }, { op: 'replace', path: 'userName', value: 7 }] }],
        ['PUT', `/Users/${user.id}`, { title: 'no userName' }],
        ['POST', '/Groups', { displayName: '' }],
        ['POST', '/Groups', { displayName: 'g', members: [{ value: randomUUID() }] }],
      ];
      for (const [method, path, body] of cases) {
        const response = await scim<Record<string, unknown>>(method, path, body);
        expect({ method, path, body, status: response.status, schemas: response.body?.schemas }).toEqual({
          method,
          path,
          body,
          status: 400,
          schemas: [ERROR],
        });
      }
      expect(await eventCount()).toBe(before);
    });

    it('refuses a write whose attributes or excludedAttributes list is bad before it changes anything', async () => {
      const user = await create();
      const group = (await scim<Resource>('POST', '/Groups', azure.createGroup(`G ${randomUUID()}`))).body;
      const before = await eventCount();
      const userName = `listed.${randomUUID()}@contoso.com`;
      const title = { schemas: [PATCH_OP], Operations: [{ op: 'Replace', path: 'title', value: 'Changed' }] };
      const cases: [string, string, unknown][] = [
        ['POST', '/Users?attributes=emails[', azure.createUser(userName)],
        ['PATCH', `/Users/${user.id}?attributes=${encodeURIComponent('emails[type eq "work"')}`, title],
        ['PUT', `/Users/${user.id}?excludedAttributes=a%20b`, { ...azure.createUser(user.userName), title: 'Changed' }],
        ['POST', '/Groups?attributes=members[', azure.createGroup(`G ${randomUUID()}`)],
        ['PATCH', `/Groups/${group.id}?excludedAttributes=members[`, azure.addMembers([user.id])],
        ['PATCH', `/Groups/${group.id}?attributes=displayName&attributes=members`, azure.addMembers([user.id])],
      ];
      for (const [method, path, body] of cases) {
        const response = await scim<Record<string, unknown>>(method, path, body);
        expect({ method, path, status: response.status, scimType: response.body?.scimType }).toEqual({ method, path, status: 400, scimType: 'invalidValue' });
      }
      expect(await eventCount()).toBe(before);
      expect((await scim<List>('GET', `/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}`)).body.totalResults).toBe(0);
    });

    it('refuses text PostgreSQL cannot store (NUL, half a surrogate pair) with invalidSyntax, and stores nothing', async () => {
      const before = await eventCount();
      for (const body of [
        `{"userName":"nul.${randomUUID()}@contoso.com","title":"a\\u0000b"}`,
        `{"userName":"half.${randomUUID()}@contoso.com","title":"\\ud800"}`,
        `{"userName":"key.${randomUUID()}@contoso.com","a\\u0000":"x"}`,
      ]) {
        const response = await scim<Record<string, unknown>>('POST', '/Users', body);
        expect({ body, status: response.status, scimType: response.body.scimType }).toEqual({ body, status: 400, scimType: 'invalidSyntax' });
      }
      // In the URL too: a filter or an id with %00.
      for (const path of [`/Users?filter=${encodeURIComponent('userName eq "a\u0000b"')}`, '/Users/a%00b']) {
        const response = await scim<Record<string, unknown>>('GET', path);
        expect({ path, status: response.status, scimType: response.body.scimType }).toEqual({ path, status: 400, scimType: 'invalidSyntax' });
      }
      expect(await eventCount()).toBe(before);
    });

    it('answers a body in another charset or encoding with 415 in the SCIM format', async () => {
      const body = JSON.stringify(azure.createUser(`charset.${randomUUID()}@contoso.com`));
      for (const headers of [{ 'content-type': 'application/scim+json; charset=latin1' }, { 'content-encoding': 'xyz' }] as Record<string, string>[]) {
        const response = await scim<Record<string, unknown>>('POST', '/Users', body, headers);
        expect({ headers, status: response.status, schemas: response.body.schemas }).toEqual({ headers, status: 415, schemas: [ERROR] });
      }
      const corrupt = await scim<Record<string, unknown>>('POST', '/Users', 'not gzip at all', { 'content-encoding': 'gzip' });
      expect(corrupt.status).toBe(400);
      expect(corrupt.body).toMatchObject({ schemas: [ERROR], scimType: 'invalidSyntax' });
    });

    it('answers a startIndex past any page with an empty page', async () => {
      const page = await scim<List>('GET', '/Users?startIndex=99999999999999999999&count=5');
      expect(page.status).toBe(200);
      expect(page.body).toMatchObject({ itemsPerPage: 0, Resources: [] });
    });

    it('removes a member named by something that is no user id as a no-op, by value and by filter', async () => {
      const group = (await scim<Resource>('POST', '/Groups', azure.createGroup(`G ${randomUUID()}`))).body;
      for (const operation of [
        { op: 'Remove', path: 'members', value: [{ value: 'abc' }] },
        { op: 'remove', path: 'members[value eq "abc"]' },
      ]) {
        const response = await scim('PATCH', `/Groups/${group.id}`, { schemas: [PATCH_OP], Operations: [operation] });
        expect({ operation, status: response.status }).toEqual({ operation, status: 204 });
      }
    });

    it('gives exactly one 201 for 50 concurrent creates of one userName', async () => {
      const userName = `race.${randomUUID()}@contoso.com`;
      const responses = await Promise.all(Array.from({ length: 50 }, () => scim('POST', '/Users', azure.createUser(userName))));
      const statuses = responses.map((response) => response.status).sort();
      expect(statuses.filter((status) => status === 201)).toHaveLength(1);
      expect(statuses.filter((status) => status === 409)).toHaveLength(49);
    });

    it('keeps every one of concurrent PATCHes that change different attributes of one user', async () => {
      const user = await create();
      const changes = [
        ['title', 'Engineer'],
        [`${ENTERPRISE}:department`, 'Research'],
        ['name.givenName', 'Concurrent'],
        ['name.familyName', 'Writer'],
        ['locale', 'fr-FR'],
        ['timezone', 'Europe/Paris'],
        ['externalId', `ext-${randomUUID()}`],
        ['phoneNumbers[type eq "mobile"].value', '+44 7700 900123'],
      ] as const;
      const responses = await Promise.all(
        changes.map(([path, value]) => scim('PATCH', `/Users/${user.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'Replace', path, value }] })),
      );
      expect(responses.map((response) => response.status)).toEqual(changes.map(() => 200));
      const after = (await scim<Resource>('GET', `/Users/${user.id}`)).body;
      expect(after).toMatchObject({
        title: 'Engineer',
        [ENTERPRISE]: { department: 'Research' },
        name: { givenName: 'Concurrent', familyName: 'Writer' },
        locale: 'fr-FR',
        timezone: 'Europe/Paris',
        externalId: changes[6][1],
      });
      expect(after.phoneNumbers).toContainEqual(expect.objectContaining({ type: 'mobile', value: '+44 7700 900123' }));
    });

    it('keeps a group’s rename and every member added by concurrent PATCHes', async () => {
      const group = (await scim<Resource>('POST', '/Groups', azure.createGroup(`G ${randomUUID()}`))).body;
      const users = await Promise.all(Array.from({ length: 6 }, () => create()));
      const renamed = `Renamed ${randomUUID()}`;
      const responses = await Promise.all([
        scim('PATCH', `/Groups/${group.id}`, azure.renameGroup(renamed)),
        ...users.map((user) => scim('PATCH', `/Groups/${group.id}`, azure.addMembers([user.id]))),
      ]);
      expect(responses.map((response) => response.status)).toEqual([204, ...users.map(() => 204)]);
      const after = (await scim<{ displayName: string; members: { value: string }[] }>('GET', `/Groups/${group.id}`)).body;
      expect(after.displayName).toBe(renamed);
      expect(after.members.map((member) => member.value).sort()).toEqual(users.map((user) => user.id).sort());
    });
  });

  describe('user retrieval setting', () => {
    it('with idp-only, admin-created users are invisible and their username answers 409', async () => {
      const isolated = await stack.tenant({ retrieval: 'idp-only' });
      const client = scimClient(isolated);
      const userName = `admin.made.${randomUUID()}@contoso.com`;
      const userId = randomUUID();
      const { userDecider, usernameReservations } = await import('@identity/identity-domain');
      const { outboxFor, publishAsIs } = await import('@identity/platform-event-store');
      await stack.scimService.infrastructure.commands.run({
        streamId: `user-${userId}`,
        streamType: 'user',
        decider: userDecider,
        command: {
          type: 'ProvisionUser',
          actor: { kind: 'admin' },
          userId,
          userName,
          externalId: null,
          active: true,
          profile: { givenName: null, familyName: null, email: null, title: null, department: null, mobilePhone: null, workPhone: null, locale: null, timezone: null },
          site: null,
          visibleInDirectory: true,
        },
        context: { tenantId: isolated.tenantId, correlationId: 'admin' },
        reservations: usernameReservations,
        toOutbox: outboxFor(publishAsIs),
      });
      await eventually(async () => {
        const rows = await stack.scimService.infrastructure.dataSource.query(`SELECT 1 FROM scim.users WHERE user_id = $1`, [userId]);
        expect(rows).toHaveLength(1);
      });
      expect((await client<List>('GET', `/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}`)).body.totalResults).toBe(0);
      expect((await client('GET', `/Users/${userId}`)).status).toBe(404);
      expect((await client('POST', '/Users', azure.createUser(userName))).status).toBe(409);
      // Nor can the IdP reach it as a group member.
      expect((await client('POST', '/Groups', { ...azure.createGroup(`G ${randomUUID()}`), members: [{ value: userId }] })).status).toBe(400);
      const group = (await client<{ id: string }>('POST', '/Groups', azure.createGroup(`G ${randomUUID()}`))).body;
      expect((await client('PATCH', `/Groups/${group.id}`, azure.addMembers([userId]))).status).toBe(400);
      // A member the tenant switched out of sight later (it was `all` when the user joined) is not listed either.
      await stack.scimService.infrastructure.dataSource.query(`INSERT INTO scim.group_members (group_id, user_id) VALUES ($1, $2)`, [group.id, userId]);
      expect((await client<{ members?: unknown[] }>('GET', `/Groups/${group.id}`)).body.members ?? []).toEqual([]);
      expect((await client<List>('GET', `/Groups?filter=${encodeURIComponent(`members[value eq "${userId}"]`)}`)).body.totalResults).toBe(0);
      // Nor does the IdP's replacement of the list take away a member it cannot see.
      const replaced = await client('PATCH', `/Groups/${group.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'members', value: [] }] });
      expect(replaced.status).toBe(204);
      expect(await stack.scimService.infrastructure.dataSource.query(`SELECT user_id FROM scim.group_members WHERE group_id = $1`, [group.id])).toEqual([{ user_id: userId }]);
      // Nor its removal of every member, or of that one by id.
      for (const operation of [{ op: 'remove', path: 'members' }, { op: 'Remove', path: 'members', value: [{ value: userId }] }, { op: 'remove', path: `members[value eq "${userId}"]` }]) {
        expect((await client('PATCH', `/Groups/${group.id}`, { schemas: [PATCH_OP], Operations: [operation] })).status).toBe(204);
        expect(await stack.scimService.infrastructure.dataSource.query(`SELECT user_id FROM scim.group_members WHERE group_id = $1`, [group.id])).toEqual([{ user_id: userId }]);
      }
    });

    it('a PATCH keeps an admin change that the bus has not delivered to the SCIM view yet', async () => {
      const userName = `admin.edited.${randomUUID()}@contoso.com`;
      const userId = randomUUID();
      const { userDecider, usernameReservations } = await import('@identity/identity-domain');
      const { outboxFor, publishAsIs } = await import('@identity/platform-event-store');
      const { commands, dataSource } = stack.scimService.infrastructure;
      const context = { tenantId: tenant.tenantId, correlationId: 'admin' };
      const profile = { givenName: 'Ada', familyName: null, email: null, title: 'Intern', department: null, mobilePhone: null, workPhone: null, locale: null, timezone: null };
      await commands.run({
        streamId: `user-${userId}`,
        streamType: 'user',
        decider: userDecider,
        command: { type: 'ProvisionUser', actor: { kind: 'admin' }, userId, userName, externalId: null, active: true, profile, site: null, visibleInDirectory: true },
        context,
        reservations: usernameReservations,
        toOutbox: outboxFor(publishAsIs),
      });
      await eventually(async () => expect(await dataSource.query(`SELECT 1 FROM scim.users WHERE user_id = $1`, [userId])).toHaveLength(1));
      // The admin's change is stored but never published: to the SCIM view, the bus is late.
      await commands.run({ streamId: `user-${userId}`, streamType: 'user', decider: userDecider, command: { type: 'EditByAdmin', changes: { title: 'Director' } }, context });

      const patched = await scim<Resource>('PATCH', `/Users/${userId}`, {
        schemas: [PATCH_OP],
        Operations: [{ op: 'Replace', path: `${ENTERPRISE}:department`, value: 'Board' }],
      });
      expect(patched.status).toBe(200);
      expect(patched.body).toMatchObject({ title: 'Director', [ENTERPRISE]: { department: 'Board' } });
      const titles = (await dataSource.query(`SELECT data FROM event_store.events WHERE stream_id = $1 ORDER BY stream_version`, [`user-${userId}`])) as { data: { changes?: { title?: string } } }[];
      expect(titles.map((event) => event.data.changes?.title).filter(Boolean)).toEqual(['Director']);
    });
  });

  describe('discovery and the provisioning log', () => {
    it('describes what is supported, including the site extension', async () => {
      const config = await scim<Record<string, { supported: boolean }>>('GET', '/ServiceProviderConfig');
      expect(config.body).toMatchObject({ patch: { supported: true }, bulk: { supported: false }, filter: { supported: true }, etag: { supported: true } });
      const schemas = await scim<{ Resources: { id: string; attributes: { name: string; mutability: string }[] }[] }>('GET', '/Schemas');
      const site = schemas.body.Resources.find((schema) => schema.id === SITE_8X8)!;
      // The telephony profile is the admin console's: the IdP can read it, never write it.
      expect(site.attributes).toEqual([
        expect.objectContaining({ name: 'site', mutability: 'immutable' }),
        expect.objectContaining({ name: 'extension', mutability: 'readOnly' }),
        expect.objectContaining({ name: 'directNumber', mutability: 'readOnly' }),
      ]);
      expect(schemas.body.Resources.map((schema) => schema.id)).toEqual(
        expect.arrayContaining(['urn:ietf:params:scim:schemas:core:2.0:User', 'urn:ietf:params:scim:schemas:core:2.0:Group', SITE_PRODUCT]),
      );
      const types = await scim<{ Resources: { id: string; endpoint: string }[] }>('GET', '/ResourceTypes');
      expect(types.body.Resources.map((type) => [type.id, type.endpoint])).toEqual([
        ['User', '/Users'],
        ['Group', '/Groups'],
      ]);
      // What RFC 7644 defines and we do not offer is 501 (§3.11, §3.12), in the SCIM error schema.
      for (const [method, path] of [
        ['GET', '/Me'],
        ['PATCH', '/Me/anything'],
        ['POST', '/Bulk'],
      ]) {
        const answer = await scim<Record<string, unknown>>(method, path, method === 'GET' ? undefined : { schemas: [PATCH_OP], Operations: [] });
        expect({ method, path, status: answer.status, body: answer.body }).toMatchObject({ method, path, status: 501, body: { schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '501' } });
      }
      // Discovery is in the provisioning log too: an admin sees the IdP's first contact (Test Connection's neighbours).
      await eventually(async () => {
        const log = await stack.admin<{ items: { operation: string; outcome: string; status: number; resourceType: string | null }[] }>(
          stack.scimBase,
          'GET',
          `/api/v1/tenants/${tenant.tenantId}/provisioning/logs?limit=100`,
          tenant.adminToken,
        );
        const discovery = log.body.items.filter((item) => item.resourceType === null).map(({ operation, outcome, status }) => ({ operation, outcome, status }));
        expect(discovery).toEqual(
          expect.arrayContaining([
            { operation: 'Read service provider configuration', outcome: 'success', status: 200 },
            { operation: 'Read schemas', outcome: 'success', status: 200 },
            { operation: 'Read resource types', outcome: 'success', status: 200 },
            { operation: 'GET Me', outcome: 'failure', status: 501 },
            { operation: 'PATCH Me', outcome: 'failure', status: 501 },
            { operation: 'POST Bulk', outcome: 'failure', status: 501 },
          ]),
        );
      });
    });

    it('records every request, failures first on request, with the error', async () => {
      const userName = `log.${randomUUID()}@contoso.com`;
      await scim('POST', '/Users', azure.createUser(userName, 'Nowhere'));
      // The log is written in batches, a few milliseconds after the response.
      const log = await eventually(async () => {
        const response = await stack.admin<{ items: Record<string, unknown>[]; total: number }>(
          stack.scimBase,
          'GET',
          `/api/v1/tenants/${tenant.tenantId}/provisioning/logs?outcome=failure&sort=failures-first&limit=5`,
          tenant.adminToken,
        );
        expect(response.body.items[0]).toMatchObject({ operation: 'Create user', userName, outcome: 'failure', status: 400, errorType: 'invalidValue' });
        return response;
      });
      expect(log.status).toBe(200);
      expect(log.body.items.every((item) => item.outcome === 'failure')).toBe(true);

      // One user's history: the failed create that carried the username, then what happened to the user.
      const created = await scim<{ id: string }>('POST', '/Users', azure.createUser(userName));
      await scim('POST', '/Users', azure.createUser(`other.${randomUUID()}@contoso.com`));
      await eventually(async () => {
        const history = await stack.admin<{ items: { operation: string; outcome: string; userName: string; resourceId: string | null }[] }>(
          stack.scimBase,
          'GET',
          `/api/v1/tenants/${tenant.tenantId}/provisioning/logs?user=${created.body.id}`,
          tenant.adminToken,
        );
        expect(history.body.items.map(({ outcome, userName: name }) => ({ outcome, name }))).toEqual([
          { outcome: 'success', name: userName },
          { outcome: 'failure', name: userName },
        ]);
      });
    });
  });
});
