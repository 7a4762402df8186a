import { readScimUser } from './scim-user.input';

describe('readScimUser', () => {
  it('reads Azure AD’s create body, with the site under the gallery URN and booleans as strings', () => {
    const input = readScimUser({
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'],
      externalId: 'alice',
      userName: 'alice@contoso.com',
      active: 'True',
      displayName: 'Alice Example',
      title: 'Engineer',
      emails: [{ primary: 'true', type: 'work', value: 'alice@contoso.com' }],
      phoneNumbers: [
        { type: 'mobile', value: '+1 555 555 0100' },
        { type: 'work', value: '+15555550101' },
      ],
      name: { formatted: 'Alice Example', familyName: 'Example', givenName: 'Alice' },
      'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { department: 'Support' },
      'urn:ietf:params:scim:schemas:extension:8x8:1.1:User': { site: 'London' },
      meta: { resourceType: 'User' },
      roles: [],
      addresses: null,
    });
    expect(input).toEqual({
      userName: 'alice@contoso.com',
      externalId: 'alice',
      active: true,
      siteName: 'London',
      profile: {
        givenName: 'Alice',
        familyName: 'Example',
        email: 'alice@contoso.com',
        title: 'Engineer',
        department: 'Support',
        mobilePhone: '+1 555 555 0100',
        workPhone: '+15555550101',
        locale: null,
        timezone: null,
      },
    });
  });

  it('finds the site under the product URN, flat or nested, and attribute names in any case', () => {
    expect(readScimUser({ USERNAME: 'a', 'urn:8x8:scim:schemas:extension:8x8user:2.0:User:site': 'Paris' })).toMatchObject({ userName: 'a', siteName: 'Paris' });
    expect(readScimUser({ userName: 'a', 'urn:8x8:scim:schemas:extension:8x8user:2.0:User': { Site: 'Paris' } }).siteName).toBe('Paris');
  });

  it('takes the address a PATCH add appended, not the one it replaces (the resource holds both until it is read)', () => {
    const patched = readScimUser({
      userName: 'a',
      emails: [
        { primary: true, type: 'work', value: 'old@contoso.com' },
        { primary: true, type: 'work', value: 'new@contoso.com' },
      ],
      phoneNumbers: [
        { type: 'mobile', value: '+100' },
        { type: 'work', value: '+200' },
        { type: 'mobile', value: '+101' },
      ],
    });
    expect(patched.profile).toMatchObject({ email: 'new@contoso.com', mobilePhone: '+101', workPhone: '+200' });
    // Our resources mark the stored address primary; an added one without the flag still replaces it.
    expect(readScimUser({ userName: 'a', emails: [{ type: 'work', primary: true, value: 'p@x' }, { type: 'work', value: 'q@x' }] }).profile.email).toBe('q@x');
  });

  it('takes an untyped address added as primary over the stored work address (Okta adds emails without a type)', () => {
    const added = (primary: unknown) => readScimUser({ userName: 'a', emails: [{ type: 'work', primary: false, value: 'old@x' }, { value: 'new@x', primary }] }).profile.email;
    expect(added(true)).toBe('new@x');
    expect(added('TRUE')).toBe('new@x');
    // An untyped address that is not primary is a second address: the work one stays.
    expect(added(undefined)).toBe('old@x');
    expect(readScimUser({ userName: 'a', emails: [{ type: 'home', value: 'h@x', primary: 'True' }] }).profile.email).toBe('h@x');
  });

  it('takes an untyped phone marked primary, or a lone untyped one, as the work number, and never a mobile for it', () => {
    const phones = (...phoneNumbers: unknown[]) => readScimUser({ userName: 'a', phoneNumbers }).profile;
    expect(phones({ primary: 'true', value: '61-392-9473' })).toMatchObject({ workPhone: '61-392-9473', mobilePhone: null });
    expect(phones({ value: '+300' })).toMatchObject({ workPhone: '+300', mobilePhone: null });
    expect(phones({ type: 'work', primary: true, value: '+200' }, { primary: true, value: '+201' })).toMatchObject({ workPhone: '+201' });
    expect(phones({ type: 'mobile', primary: true, value: '+100' })).toMatchObject({ workPhone: null, mobilePhone: '+100' });
    expect(phones({ type: 'mobile', value: '+100' }, { value: '+300' })).toMatchObject({ workPhone: null, mobilePhone: '+100' });
  });

  it('refuses values of the wrong type with invalidValue', () => {
    expect(() => readScimUser({ userName: 5 })).toThrow(expect.objectContaining({ scimType: 'invalidValue' }));
    expect(() => readScimUser({ userName: 'a', active: 'yes' })).toThrow(expect.objectContaining({ scimType: 'invalidValue' }));
    expect(() => readScimUser({ userName: 'a', emails: 'x' })).toThrow(expect.objectContaining({ scimType: 'invalidValue' }));
    expect(() => readScimUser([])).toThrow(expect.objectContaining({ scimType: 'invalidSyntax' }));
  });
});
