import { attributeProjection, includesCoreAttribute, projectAttributes } from './scim-attributes';
import { resourceTypeDocument, schemaDocument } from './scim-discovery';
import { ScimError, scimErrorBody } from './scim-errors';
import { CORE_GROUP, CORE_USER, ENTERPRISE, groupType, SITE_EXTENSION, userType } from './scim-test.fixtures';

const meta = { resourceType: 'User', created: '2024-01-01T00:00:00Z', location: 'https://x/Users/u1' };
const alice = {
  schemas: [CORE_USER, ENTERPRISE],
  id: 'u1',
  externalId: 'alice',
  userName: 'alice@contoso.com',
  password: 'secret',
  secretNote: 'only on request',
  name: { formatted: 'Alice Example', familyName: 'Example', givenName: 'Alice' },
  emails: [
    { type: 'work', value: 'alice@contoso.com', primary: true },
    { type: 'home', value: 'alice@home.example' },
  ],
  [ENTERPRISE]: { department: 'Support', employeeNumber: '42' },
  meta,
};
const sales = { schemas: [CORE_GROUP], id: 'g1', displayName: 'Sales', members: [{ value: 'u1' }], meta: { resourceType: 'Group' } };
const { password: _never, secretNote: _request, ...byDefault } = alice;

describe('projectAttributes', () => {
  it('returns default attributes, never `never` ones nor `request` ones unasked', () => {
    expect(projectAttributes(alice, userType)).toEqual(byDefault);
  });

  it('drops members for Entra group reads (excludedAttributes=members)', () => {
    expect(projectAttributes(sales, groupType, { excludedAttributes: 'members' })).toEqual({ schemas: [CORE_GROUP], id: 'g1', displayName: 'Sales', meta: { resourceType: 'Group' } });
  });

  it('returns only the named attributes plus id, schemas and meta', () => {
    expect(projectAttributes(alice, userType, { attributes: 'userName,emails' })).toEqual({
      schemas: alice.schemas,
      id: 'u1',
      userName: alice.userName,
      emails: alice.emails,
      meta,
    });
  });

  it('takes names case-insensitively, with sub-attributes and URN qualification', () => {
    expect(projectAttributes(alice, userType, { attributes: 'USERNAME, name.GIVENNAME, externalid' })).toMatchObject({ userName: alice.userName, name: { givenName: 'Alice' }, externalId: 'alice' });
    expect(projectAttributes(alice, userType, { attributes: `${ENTERPRISE}:department` })).toEqual({ schemas: alice.schemas, id: 'u1', meta, [ENTERPRISE]: { department: 'Support' } });
    expect(projectAttributes(alice, userType, { attributes: ENTERPRISE.toLowerCase() })).toMatchObject({ [ENTERPRISE]: alice[ENTERPRISE] });
    expect(projectAttributes(alice, userType, { attributes: `${CORE_USER}:userName` })).toHaveProperty('userName');
  });

  it('returns `request` attributes when asked, never `never` ones even then', () => {
    const projected = projectAttributes(alice, userType, { attributes: 'secretNote,password' });
    expect(projected).toHaveProperty('secretNote');
    expect(projected).not.toHaveProperty('password');
  });

  it('keeps id, schemas and meta even when excluded, and excludes sub-attributes and extensions', () => {
    const projected = projectAttributes(alice, userType, { excludedAttributes: `id,meta,name.formatted,emails.primary,${ENTERPRISE}` });
    expect(projected).toMatchObject({ id: 'u1', meta, name: { familyName: 'Example', givenName: 'Alice' } });
    expect(projected.name).not.toHaveProperty('formatted');
    expect(projected.emails).toEqual([{ type: 'work', value: 'alice@contoso.com' }, { type: 'home', value: 'alice@home.example' }]);
    expect(projected).not.toHaveProperty(ENTERPRISE);
  });

  it('excludes only the elements a filter names, or their named sub-attribute', () => {
    expect(projectAttributes(alice, userType, { excludedAttributes: 'emails[type eq "home"]' }).emails).toEqual([alice.emails[0]]);
    expect(projectAttributes(alice, userType, { excludedAttributes: 'emails[type eq "home"].value' }).emails).toEqual([alice.emails[0], { type: 'home' }]);
    expect(projectAttributes(alice, userType, { excludedAttributes: 'emails[type eq "work" or type eq "home"]' })).not.toHaveProperty('emails');
    expect(projectAttributes(sales, groupType, { excludedAttributes: 'members[value eq "u2"]' }).members).toEqual([{ value: 'u1' }]);
  });

  it('refuses, before any resource is read, a filter whose value does not fit its attribute', () => {
    for (const options of [{ excludedAttributes: 'emails[primary gt true]' }, { attributes: 'emails[type eq "work" and primary eq "yes"]' }]) {
      expect(() => attributeProjection(userType, options)).toThrow(expect.objectContaining({ scimType: 'invalidValue' }));
    }
  });

  it('filters elements for `emails[type eq "work"]` (Microsoft Postman test)', () => {
    expect(projectAttributes(alice, userType, { attributes: 'emails[type eq "work"]' }).emails).toEqual([alice.emails[0]]);
  });

  it('returns the named sub-attribute of the matching elements only for `emails[type eq "work"].value`', () => {
    expect(projectAttributes(alice, userType, { attributes: 'emails[type eq "work"].value' }).emails).toEqual([{ value: 'alice@contoso.com' }]);
    expect(projectAttributes(alice, userType, { attributes: 'emails[type eq "work"].value,emails.type' }).emails).toEqual([
      { type: 'work', value: 'alice@contoso.com' },
      { type: 'home' },
    ]);
  });

  it('ignores unknown names and rejects malformed ones', () => {
    expect(projectAttributes(alice, userType, { attributes: 'bogus' })).toEqual({ schemas: alice.schemas, id: 'u1', meta });
    expect(() => projectAttributes(alice, userType, { attributes: 'emails[type' })).toThrow(expect.objectContaining({ scimType: 'invalidValue' }));
  });
});

describe('includesCoreAttribute (whether group members need loading)', () => {
  it.each([
    [{}, true],
    [{ excludedAttributes: 'members' }, false],
    [{ excludedAttributes: `${CORE_GROUP}:members` }, false],
    [{ excludedAttributes: 'members.display' }, true],
    [{ attributes: 'displayName' }, false],
    [{ attributes: 'Members' }, true],
    [{ attributes: 'members.value' }, true],
    [{ attributes: `${CORE_GROUP}:members` }, true],
    [{ attributes: `displayName,${CORE_GROUP}:members.value` }, true],
  ])('%j: %s', (options, included) => {
    expect(includesCoreAttribute('members', groupType, options)).toBe(included);
  });
});

describe('discovery documents', () => {
  it('renders each schema once, camelCase, with no absent values as null', () => {
    const schemas = schemaDocument([userType, groupType], 'https://x/scim/v2/');
    expect(schemas.map((schema) => schema.id)).toEqual([CORE_USER, ENTERPRISE, SITE_EXTENSION, CORE_GROUP]);
    expect(JSON.stringify(schemas)).not.toContain('null');
    const user = schemas[0] as { attributes: Record<string, unknown>[]; meta: unknown; schemas: unknown };
    expect(user.schemas).toEqual(['urn:ietf:params:scim:schemas:core:2.0:Schema']);
    expect(user.meta).toEqual({ resourceType: 'Schema', location: `https://x/scim/v2/Schemas/${CORE_USER}` });
    expect(user.attributes[0]).toEqual({
      name: 'userName',
      type: 'string',
      multiValued: false,
      description: 'userName.',
      required: true,
      caseExact: false,
      mutability: 'readWrite',
      returned: 'default',
      uniqueness: 'server',
    });
    expect(user.attributes.find((attribute) => attribute.name === 'emails')).toMatchObject({ multiValued: true, subAttributes: expect.arrayContaining([expect.objectContaining({ name: 'type', canonicalValues: ['work', 'home', 'other'] })]) });
  });

  it('renders resource types, with schemaExtensions only when there are some', () => {
    expect(resourceTypeDocument(userType, 'https://x/scim/v2')).toEqual({
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:ResourceType'],
      id: 'User',
      name: 'User',
      endpoint: '/Users',
      description: 'User Account',
      schema: CORE_USER,
      schemaExtensions: [
        { schema: ENTERPRISE, required: false },
        { schema: SITE_EXTENSION, required: false },
      ],
      meta: { resourceType: 'ResourceType', location: 'https://x/scim/v2/ResourceTypes/User' },
    });
    expect(resourceTypeDocument(groupType, 'https://x')).not.toHaveProperty('schemaExtensions');
  });
});

describe('ScimError', () => {
  it('renders the RFC 7644 error body with the status as a string', () => {
    expect(scimErrorBody(ScimError.uniqueness('userName already exists'))).toEqual({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
      status: '409',
      scimType: 'uniqueness',
      detail: 'userName already exists',
    });
    expect(scimErrorBody(ScimError.notFound('User u9 not found'))).toEqual({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '404', detail: 'User u9 not found' });
  });

  it('is an Error with the status and type of each helper', () => {
    const helpers = { invalidFilter: 400, invalidValue: 400, invalidSyntax: 400, invalidPath: 400, noTarget: 400, mutability: 400, tooMany: 400, uniqueness: 409 } as const;
    for (const [name, status] of Object.entries(helpers)) {
      const error = ScimError[name as keyof typeof helpers]('x');
      expect(error).toBeInstanceOf(Error);
      expect(error).toMatchObject({ status, scimType: name, detail: 'x', message: 'x', name: 'ScimError' });
    }
  });
});
