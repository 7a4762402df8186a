import { ScimError } from './scim-errors';
import { matchesFilter } from './scim-filter.match';
import { parseFilter } from './scim-filter.parser';
import type { ScimAttribute } from './scim-schema.types';
import { CORE_USER, ENTERPRISE, userType } from './scim-test.fixtures';

const emailAttributes = userType.schema.attributes.find((attribute) => attribute.name === 'emails')?.subAttributes as readonly ScimAttribute[];
const member = (filter: string, element: unknown, attributes: readonly ScimAttribute[] = emailAttributes) => matchesFilter(element, parseFilter(filter), attributes);

const alice = {
  schemas: [CORE_USER, ENTERPRISE],
  id: 'u1',
  userName: 'Alice@Contoso.com',
  title: '',
  active: 'True',
  name: { givenName: 'Alice', familyName: 'Example' },
  emails: [
    { type: 'work', value: 'alice@contoso.com', primary: 'true' },
    { type: 'home', value: 'alice@home.example' },
  ],
  meta: { lastModified: '2024-03-01T10:00:00Z' },
  [ENTERPRISE]: { department: 'Support' },
};
const user = (filter: string) => matchesFilter(alice, parseFilter(filter), userType.schema.attributes);

describe('matchesFilter on a multi-valued element', () => {
  it('compares case-insensitively unless the sub-attribute is caseExact', () => {
    expect(member('type eq "WORK"', { type: 'work' })).toBe(true);
    const exact = emailAttributes.map((attribute) => (attribute.name === 'type' ? { ...attribute, caseExact: true } : attribute));
    expect(member('type eq "WORK"', { type: 'work' }, exact)).toBe(false);
  });

  it('coerces booleans sent as strings, on either side', () => {
    expect(member('primary eq true', { primary: 'True' })).toBe(true);
    expect(member('primary eq "True"', { primary: true })).toBe(true);
    expect(member('primary eq false', { primary: 'True' })).toBe(false);
    expect(member('primary eq true', { primary: 'True' }, [])).toBe(true);
  });

  it('treats missing, null and "" as no value', () => {
    expect(member('display pr', { display: '' })).toBe(false);
    expect(member('display ne "x"', {})).toBe(true);
    expect(member('display eq null', { display: null })).toBe(true);
    expect(member('display eq "x"', {})).toBe(false);
    expect(member('not (display eq "x")', {})).toBe(true);
  });

  it('supports co, sw, ew and ordering', () => {
    expect(member('value co "@CONTOSO"', { value: 'a@contoso.com' })).toBe(true);
    expect(member('value sw "A@"', { value: 'a@contoso.com' })).toBe(true);
    expect(member('value ew ".org"', { value: 'a@contoso.com' })).toBe(false);
    expect(member('value gt "A" and value lt "b"', { value: 'a@contoso.com' })).toBe(true);
  });

  it('rejects an operator the attribute type does not allow', () => {
    expect(() => member('primary gt true', { primary: true })).toThrow(expect.objectContaining({ scimType: 'invalidFilter' }));
    expect(() => member('primary gt true', { primary: true })).toThrow(ScimError);
    expect(member('primary gt true', { primary: true }, [])).toBe(false);
  });
});

describe('matchesFilter on a whole resource', () => {
  it('matches the Entra queries', () => {
    expect(user('userName eq "alice@contoso.com"')).toBe(true);
    expect(user('emails[type eq "work"].value eq "ALICE@contoso.com"')).toBe(true);
    expect(user('emails[type eq "home"].value eq "alice@contoso.com"')).toBe(false);
  });

  it('matches multi-valued attributes if any value matches', () => {
    expect(user('emails eq "alice@home.example"')).toBe(true);
    expect(user('emails.value ew "@home.example"')).toBe(true);
    expect(user('emails[type eq "work" and primary eq true]')).toBe(true);
    expect(user('emails[type eq "other"]')).toBe(false);
  });

  it('agrees with SQL on elements lacking a sub-attribute and on empty lists', () => {
    expect(user('emails.primary ne true')).toBe(true);
    expect(user('phoneNumbers.value ne "x"')).toBe(false);
    expect(user('phoneNumbers eq null and emails ne null')).toBe(true);
    expect(user('nickName ne "x"')).toBe(true);
  });

  it('follows sub-attributes, URN-qualified names and presence', () => {
    expect(user('name.familyName eq "example"')).toBe(true);
    expect(user(`${ENTERPRISE}:department eq "support"`)).toBe(true);
    expect(user(`${CORE_USER}:userName sw "alice"`)).toBe(true);
    expect(user('title pr or nickName pr')).toBe(false);
    expect(user('name pr and active eq true')).toBe(true);
    expect(user('meta.lastModified gt "2024-01-01T00:00:00Z"')).toBe(true);
  });
});
