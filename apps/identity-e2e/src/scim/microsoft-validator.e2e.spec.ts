import { randomUUID } from 'node:crypto';
import { PATCH_OP, IdentityStack, scimClient, type ScimTenant } from '../support/identity-stack';

type Resource = Record<string, unknown> & { id: string };
type List = { totalResults: number; Resources: Resource[] };

/** Every test of Microsoft's SCIM Validator (required and preview), as its exported runs send them. */
describe('Microsoft SCIM Validator tests', () => {
  const stack = new IdentityStack();
  let tenant: ScimTenant;
  let scim: ReturnType<typeof scimClient>;

  beforeAll(async () => {
    await stack.start();
    tenant = await stack.tenant();
    scim = scimClient(tenant, 'Microsoft SCIM Validator');
  });

  afterAll(() => stack.stop());

  const validatorUser = () => ({
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
    userName: `${randomUUID().slice(0, 8)}@validator.example`,
    active: true,
    externalId: randomUUID(),
    title: 'Manager',
    emails: [{ type: 'work', primary: 'true', value: `${randomUUID().slice(0, 8)}@validator.example` }],
    // The validator sends an untyped phone marked primary: the user's main, work, number.
    phoneNumbers: [{ primary: 'true', value: '61-392-9473' }],
    name: { givenName: 'Given', familyName: 'Family' },
    locale: 'en-US',
  });
  const filter = (resource: 'Users' | 'Groups', expression: string, extra = '') =>
    scim<List>('GET', `/${resource}?${extra}filter=${encodeURIComponent(expression).replace(/%20/g, '+')}`);
  const patch = (Operations: unknown[]) => ({ schemas: [PATCH_OP], Operations });

  it('Schema discoverability: every attribute of the default mappings is listed in /Schemas (the gallery check exempts only id)', async () => {
    type Attribute = { name: string; subAttributes?: Attribute[] };
    const { body } = await scim<{ Resources: { id: string; attributes: Attribute[] }[] }>('GET', '/Schemas');
    const listed = (schemaId: string) =>
      (body.Resources.find((schema) => schema.id === schemaId)?.attributes ?? []).flatMap((attribute) => [
        attribute.name,
        ...(attribute.subAttributes ?? []).map((sub) => `${attribute.name}.${sub.name}`),
      ]);
    const missing = (schemaId: string, mapped: string[]) => mapped.filter((name) => !listed(schemaId).includes(name));
    expect({
      user: missing('urn:ietf:params:scim:schemas:core:2.0:User', [
        'userName', 'externalId', 'active', 'title', 'name.givenName', 'name.familyName', 'emails.value', 'emails.type', 'phoneNumbers.value', 'phoneNumbers.type', 'locale', 'timezone',
      ]),
      enterprise: missing('urn:ietf:params:scim:schemas:extension:enterprise:2.0:User', ['department']),
      group: missing('urn:ietf:params:scim:schemas:core:2.0:Group', ['displayName', 'externalId', 'members']),
    }).toEqual({ user: [], enterprise: [], group: [] });
  });

  describe('Users', () => {
    it('Create a new User, then find it by filter', async () => {
      const body = validatorUser();
      const created = await scim<Resource>('POST', '/Users', body);
      expect(created.status).toBe(201);
      const found = await filter('Users', `userName eq "${body.userName}"`);
      expect(found.body.totalResults).toBe(1);
      expect(found.body.Resources[0]).toMatchObject({ id: created.body.id, userName: body.userName, emails: [{ primary: true }], phoneNumbers: [{ value: '61-392-9473', primary: true }] });
      // What /Schemas lists can be filtered on: the primary phone too.
      const byPrimaryPhone = await filter('Users', `phoneNumbers[primary eq true and value eq "61-392-9473"] and userName eq "${body.userName}"`);
      expect(byPrimaryPhone.body.Resources.map((user) => user.id)).toEqual([created.body.id]);
    });

    it('Create a duplicate User: 409', async () => {
      const body = validatorUser();
      await scim('POST', '/Users', body);
      const duplicate = await scim<Record<string, unknown>>('POST', '/Users', body);
      expect(duplicate.status).toBe(409);
      expect(duplicate.body).toMatchObject({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '409', scimType: 'uniqueness' });
    });

    it('Filter for an existing user, a non-existing one, and with a different case', async () => {
      const body = validatorUser();
      const { body: created } = await scim<Resource>('POST', '/Users', body);
      const existing = await filter('Users', `userName eq "${body.userName}"`);
      expect(existing.body).toMatchObject({ schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'], totalResults: 1 });
      expect((await filter('Users', `userName eq "${randomUUID()}"`)).body).toMatchObject({ totalResults: 0, Resources: [] });
      expect((await filter('Users', `userName eq "${body.userName.toUpperCase()}"`)).body.Resources.map((user) => user.id)).toEqual([created.id]);
    });

    it('Update User userName (path-less replace)', async () => {
      const { body: created } = await scim<Resource>('POST', '/Users', validatorUser());
      const userName = `${randomUUID().slice(0, 8)}@renamed.example`;
      expect((await scim('PATCH', `/Users/${created.id}`, patch([{ op: 'replace', value: { userName } }]))).status).toBe(200);
      expect((await scim<Resource>('GET', `/Users/${created.id}`)).body.userName).toBe(userName);
    });

    it('Patch User - Replace Attributes (value paths plus one path-less replace of many keys)', async () => {
      const { body: created } = await scim<Resource>('POST', '/Users', validatorUser());
      const email = `${randomUUID().slice(0, 8)}@replaced.example`;
      const response = await scim<Resource>(
        'PATCH',
        `/Users/${created.id}`,
        patch([
          { op: 'replace', path: 'emails[primary eq true].value', value: email },
          { op: 'replace', path: 'phoneNumbers[primary eq true].value', value: '15-532-3301' },
          { op: 'replace', value: { 'name.givenName': 'NewGiven', 'name.familyName': 'NewFamily', title: 'Director', locale: 'fr-FR', active: true } },
        ]),
      );
      expect(response.status).toBe(200);
      expect((await scim<Resource>('GET', `/Users/${created.id}`)).body).toMatchObject({
        emails: [{ value: email, primary: true }],
        phoneNumbers: [{ value: '15-532-3301', primary: true }],
        name: { givenName: 'NewGiven', familyName: 'NewFamily' },
        title: 'Director',
        locale: 'fr-FR',
      });
    });

    it('Patch User - Add Attributes: a typed value path creates the missing element', async () => {
      const body = validatorUser();
      delete (body as Partial<typeof body>).emails;
      delete (body as Partial<typeof body>).phoneNumbers;
      const { body: created } = await scim<Resource>('POST', '/Users', body);
      await scim('PATCH', `/Users/${created.id}`, patch([{ op: 'add', path: 'emails[type eq "work"].value', value: 'added@validator.example' }]));
      await scim('PATCH', `/Users/${created.id}`, patch([{ op: 'add', path: 'phoneNumbers[type eq "mobile"].value', value: '+44 20 7946 0000' }]));
      expect((await scim<Resource>('GET', `/Users/${created.id}`)).body).toMatchObject({
        emails: [{ value: 'added@validator.example', type: 'work' }],
        phoneNumbers: [{ value: '+44 20 7946 0000', type: 'mobile' }],
      });
    });

    it('Patch User - Disable User: GET and filter still return it, with active false', async () => {
      const body = validatorUser();
      const { body: created } = await scim<Resource>('POST', '/Users', body);
      expect((await scim('PATCH', `/Users/${created.id}`, patch([{ op: 'replace', path: 'active', value: false }]))).status).toBe(200);
      expect((await scim<Resource>('GET', `/Users/${created.id}`)).body.active).toBe(false);
      expect((await filter('Users', `userName eq "${body.userName}"`)).body.Resources[0].active).toBe(false);
    });

    it('Delete a User: GET afterwards is 404; deleting a non-existent user or the same one twice is 404', async () => {
      const { body: created } = await scim<Resource>('POST', '/Users', validatorUser());
      expect((await scim('DELETE', `/Users/${created.id}`)).status).toBe(204);
      expect((await scim('GET', `/Users/${created.id}`)).status).toBe(404);
      expect((await scim('DELETE', `/Users/${created.id}`)).status).toBe(404);
      expect((await scim('DELETE', `/Users/${randomUUID()}`)).status).toBe(404);
    });

    it('Multiple operations on different attributes (preview)', async () => {
      const { body: created } = await scim<Resource>('POST', '/Users', validatorUser());
      const externalId = randomUUID();
      const response = await scim<Resource>(
        'PATCH',
        `/Users/${created.id}`,
        patch([
          { op: 'remove', path: 'nickName' },
          { op: 'add', value: { externalId } },
          { op: 'replace', value: { title: 'Chief' } },
        ]),
      );
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ externalId, title: 'Chief' });
      expect(response.body).not.toHaveProperty('nickName');
    });

    it('Multiple operations on the same attribute (preview): the last one wins', async () => {
      const { body: created } = await scim<Resource>('POST', '/Users', validatorUser());
      const response = await scim<Resource>(
        'PATCH',
        `/Users/${created.id}`,
        patch([
          { op: 'remove', path: 'externalId' },
          { op: 'add', path: 'externalId', value: 'first' },
          { op: 'replace', path: 'externalId', value: 'last' },
        ]),
      );
      expect(response.body.externalId).toBe('last');
    });
  });

  describe('Groups', () => {
    const group = () => ({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: `Group ${randomUUID()}`, externalId: randomUUID() });

    it('Create a new Group and a duplicate one (409)', async () => {
      const body = group();
      expect((await scim('POST', '/Groups', body)).status).toBe(201);
      expect((await scim('POST', '/Groups', { ...body, displayName: body.displayName.toUpperCase() })).status).toBe(409);
    });

    it('Get group by id, and filter by displayName (existing, missing, other case), excluding members', async () => {
      const body = group();
      const { body: created } = await scim<Resource>('POST', '/Groups', body);
      expect((await scim('GET', `/Groups/${created.id}?excludedAttributes=members`)).body).not.toHaveProperty('members');
      const found = await filter('Groups', `displayName eq "${body.displayName.toLowerCase()}"`, 'excludedAttributes=members&');
      expect(found.body.Resources.map((resource) => resource.id)).toEqual([created.id]);
      expect(found.body.Resources[0]).not.toHaveProperty('members');
      expect((await filter('Groups', `displayName eq "${randomUUID()}"`, 'excludedAttributes=members&')).body.totalResults).toBe(0);
    });

    it('Patch Group - Replace Attributes and Update displayName (path-less)', async () => {
      const { body: created } = await scim<Resource>('POST', '/Groups', group());
      const externalId = randomUUID();
      const displayName = `Renamed ${randomUUID()}`;
      expect((await scim('PATCH', `/Groups/${created.id}`, patch([{ op: 'replace', value: { externalId } }]))).status).toBe(204);
      expect((await scim('PATCH', `/Groups/${created.id}`, patch([{ op: 'replace', value: { displayName } }]))).status).toBe(204);
      expect((await scim<Resource>('GET', `/Groups/${created.id}`)).body).toMatchObject({ externalId, displayName });
    });

    it('Add a member with replace, remove it by filter; add then remove in one request ends without it', async () => {
      const { body: user } = await scim<Resource>('POST', '/Users', validatorUser());
      const { body: created } = await scim<Resource>('POST', '/Groups', group());
      await scim('PATCH', `/Groups/${created.id}`, patch([{ op: 'replace', path: 'members', value: [{ value: user.id }] }]));
      expect((await scim<{ members: Resource[] }>('GET', `/Groups/${created.id}`)).body.members.map((member) => member.value)).toEqual([user.id]);
      await scim('PATCH', `/Groups/${created.id}`, patch([{ op: 'remove', path: `members[value eq "${user.id}"]` }]));
      expect((await scim<{ members?: Resource[] }>('GET', `/Groups/${created.id}`)).body.members ?? []).toEqual([]);
      await scim(
        'PATCH',
        `/Groups/${created.id}`,
        patch([
          { op: 'add', path: 'members', value: [{ value: user.id }] },
          { op: 'remove', path: `members[value eq "${user.id}"]` },
        ]),
      );
      expect((await scim<{ members?: Resource[] }>('GET', `/Groups/${created.id}`)).body.members ?? []).toEqual([]);
    });

    it('Delete a Group: then 404; a non-existent one and a second delete are 404', async () => {
      const { body: created } = await scim<Resource>('POST', '/Groups', group());
      expect((await scim('DELETE', `/Groups/${created.id}`)).status).toBe(204);
      expect((await scim('GET', `/Groups/${created.id}`)).status).toBe(404);
      expect((await scim('DELETE', `/Groups/${created.id}`)).status).toBe(404);
      expect((await scim('DELETE', `/Groups/${randomUUID()}`)).status).toBe(404);
    });
  });
});
