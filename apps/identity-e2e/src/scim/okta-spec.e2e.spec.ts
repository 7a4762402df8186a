import { randomUUID } from 'node:crypto';
import { PATCH_OP, IdentityStack, scimClient, type ScimTenant } from '../support/identity-stack';

type Resource = Record<string, unknown> & { id: string };
const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';

/** Okta's SCIM 2.0 Spec Test, step by step, then the CRUD flow Okta runs (PUT, path-less deactivate). */
describe('Okta SCIM 2.0 spec test', () => {
  const stack = new IdentityStack();
  let tenant: ScimTenant;
  let scim: ReturnType<typeof scimClient>;
  const oktaUser = () => ({
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
    userName: `${randomUUID().slice(0, 8)}@okta.example`,
    name: { givenName: 'Okta', familyName: 'Tester' },
    emails: [{ primary: true, value: `${randomUUID().slice(0, 8)}@okta.example`, type: 'work' }],
    displayName: 'Okta Tester',
    locale: 'en-US',
    externalId: randomUUID(),
    groups: [],
    active: true,
  });

  beforeAll(async () => {
    await stack.start();
    tenant = await stack.tenant({ idp: 'okta' });
    scim = scimClient(tenant, 'OKTA SCIM Integration');
    await scim('POST', '/Users', oktaUser()); // precondition: at least one user exists
  });

  afterAll(() => stack.stop());

  it('1–2: lists one user with the required fields, and reads it by id', async () => {
    const list = await scim<{ Resources: Resource[]; itemsPerPage: number; startIndex: number; totalResults: number; schemas: string[] }>(
      'GET',
      '/Users?count=1&startIndex=1',
    );
    expect(list.status).toBe(200);
    expect(list.body.schemas).toContain('urn:ietf:params:scim:api:messages:2.0:ListResponse');
    expect(list.body.Resources).toHaveLength(1);
    expect([typeof list.body.itemsPerPage, typeof list.body.startIndex, typeof list.body.totalResults]).toEqual(['number', 'number', 'number']);
    const first = list.body.Resources[0] as Resource & { name: Record<string, string>; emails: { value: string }[] };
    for (const field of ['id', 'userName', 'active']) expect(first).toHaveProperty(field);
    expect(first.name.familyName && first.name.givenName && first.emails[0].value).toBeTruthy();
    const byId = await scim<Resource>('GET', `/Users/${first.id}`);
    expect(byId.body.id).toBe(first.id);
  });

  it('3–5: unknown users by userName and by id', async () => {
    expect((await scim<{ totalResults: number }>('GET', `/Users?filter=${encodeURIComponent(`userName eq "${randomUUID()}@okta.example"`)}`)).body.totalResults).toBe(0);
    const missing = await scim<Record<string, unknown>>('GET', `/Users/${randomUUID()}`);
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ schemas: [ERROR], status: '404', detail: expect.any(String) });
  });

  it('6–9: creates with realistic values, verifies, refuses a re-create, filters in upper case', async () => {
    const body = oktaUser();
    const created = await scim<Resource>('POST', '/Users', body);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ active: true, userName: body.userName, name: body.name });
    expect((created.body.schemas as string[])).toContain('urn:ietf:params:scim:schemas:core:2.0:User');
    expect((await scim<Resource>('GET', `/Users/${created.body.id}`)).body).toMatchObject({ userName: body.userName, name: body.name });
    expect((await scim('POST', '/Users', body)).status).toBe(409);
    expect((await scim('GET', `/Users?filter=${encodeURIComponent(`userName eq "${body.userName.toUpperCase()}"`)}`)).status).toBe(200);
  });

  it('10–12: groups endpoint, 401 with a bad token, 404 body', async () => {
    expect((await scim('GET', '/Groups')).status).toBe(200);
    const unauthorised = await scimClient({ ...tenant, scimToken: 'not-a-token' })<Record<string, unknown>>('GET', '/Users');
    expect(unauthorised.status).toBe(401);
    expect(unauthorised.body).toMatchObject({ schemas: [ERROR], status: '401', detail: expect.any(String) });
  });

  it('CRUD: PUT replaces the user, path-less replace deactivates and reactivates', async () => {
    const body = oktaUser();
    const { body: created } = await scim<Resource>('POST', '/Users', body);
    const replaced = await scim<Resource>('PUT', `/Users/${created.id}`, { ...body, id: created.id, name: { givenName: 'Renamed', familyName: 'Tester' }, locale: undefined });
    expect(replaced.status).toBe(200);
    expect(replaced.body).toMatchObject({ name: { givenName: 'Renamed', familyName: 'Tester' } });
    expect(replaced.body).not.toHaveProperty('locale');
    const off = await scim<Resource>('PATCH', `/Users/${created.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { active: false } }] });
    expect(off.body.active).toBe(false);
    const on = await scim<Resource>('PATCH', `/Users/${created.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { active: true } }] });
    expect(on.body.active).toBe(true);
    expect((await scim('PUT', `/Users/${created.id}`, { schemas: body.schemas, name: body.name })).status).toBe(400);
  });
});
