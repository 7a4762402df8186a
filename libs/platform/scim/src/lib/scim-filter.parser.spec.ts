import { ScimError } from './scim-errors';
import { formatFilter } from './scim-filter.format';
import { MAX_FILTER_DEPTH, parseAttributePath, parseFilter } from './scim-filter.parser';
import type { FilterNode } from './scim-filter.types';

const eq = (attribute: string, value: string): FilterNode => ({ kind: 'compare', path: { attribute }, op: 'eq', value });
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

function failure(run: () => unknown): ScimError {
  try {
    run();
  } catch (error) {
    if (error instanceof ScimError) return error;
    throw new Error(`expected a ScimError, got ${String(error)}`);
  }
  throw new Error('expected a ScimError, nothing was thrown');
}

describe('parseFilter', () => {
  it('parses the Entra matching queries', () => {
    expect(parseFilter('userName eq "alice@contoso.com"')).toEqual(eq('userName', 'alice@contoso.com'));
    expect(parseFilter('displayName eq "Sales"')).toEqual(eq('displayName', 'Sales'));
    expect(parseFilter('id eq "u1" and manager eq "m1"')).toEqual({ kind: 'and', left: eq('id', 'u1'), right: eq('manager', 'm1') });
  });

  it('takes an unquoted word as a string (externalId eq jyoung)', () => {
    expect(parseFilter('externalId eq jyoung')).toEqual(eq('externalId', 'jyoung'));
    expect(parseFilter('(externalId eq 0a21f0f2-8d2a)')).toEqual(eq('externalId', '0a21f0f2-8d2a'));
  });

  it('reads numbers, booleans and null, and JSON escapes in strings', () => {
    expect(parseFilter('loginCount ge 10')).toMatchObject({ op: 'ge', value: 10 });
    expect(parseFilter('score lt -1.5e2')).toMatchObject({ value: -150 });
    expect(parseFilter('active eq true')).toMatchObject({ value: true });
    expect(parseFilter('active eq False')).toMatchObject({ value: false });
    expect(parseFilter('title eq null')).toMatchObject({ value: null });
    expect(parseFilter('displayName eq "Tab\\t \\"quoted\\" \\u00e9"')).toMatchObject({ value: 'Tab\t "quoted" é' });
  });

  it('treats operators, logical keywords and literals case-insensitively', () => {
    expect(parseFilter('userName Eq "x" AND title PR')).toEqual({
      kind: 'and',
      left: eq('userName', 'x'),
      right: { kind: 'present', path: { attribute: 'title' } },
    });
    expect(parseFilter('NOT (userName EQ "x") Or title pr')).toMatchObject({ kind: 'or', left: { kind: 'not' } });
  });

  it('binds and tighter than or: a or b and c = or(a, and(b, c))', () => {
    expect(parseFilter('a eq "1" or b eq "2" and c eq "3"')).toEqual({
      kind: 'or',
      left: eq('a', '1'),
      right: { kind: 'and', left: eq('b', '2'), right: eq('c', '3') },
    });
    expect(parseFilter('a eq "1" and b eq "2" or c eq "3"')).toEqual({
      kind: 'or',
      left: { kind: 'and', left: eq('a', '1'), right: eq('b', '2') },
      right: eq('c', '3'),
    });
  });

  it('lets parentheses override precedence, and not bind tighter than and', () => {
    expect(parseFilter('(a eq "1" or b eq "2") and c eq "3"')).toEqual({
      kind: 'and',
      left: { kind: 'or', left: eq('a', '1'), right: eq('b', '2') },
      right: eq('c', '3'),
    });
    expect(parseFilter('not (a eq "1") and b eq "2"')).toEqual({ kind: 'and', left: { kind: 'not', filter: eq('a', '1') }, right: eq('b', '2') });
    expect(parseFilter('not a eq "1" and b eq "2"')).toEqual(parseFilter('not (a eq "1") and b eq "2"'));
    expect(parseFilter('a eq "1" or b eq "2" or c eq "3"')).toEqual({ kind: 'or', left: { kind: 'or', left: eq('a', '1'), right: eq('b', '2') }, right: eq('c', '3') });
  });

  it('does not mistake attribute names that start with a keyword', () => {
    expect(parseFilter('orders pr and notes eq "x"')).toEqual({
      kind: 'and',
      left: { kind: 'present', path: { attribute: 'orders' } },
      right: eq('notes', 'x'),
    });
    expect(parseFilter('not eq "x"')).toEqual(eq('not', 'x'));
  });

  it('parses value paths, with logical filters inside the brackets', () => {
    expect(parseFilter('emails[type eq "work" and value co "@example.com"]')).toEqual({
      kind: 'valuePath',
      path: { attribute: 'emails' },
      filter: { kind: 'and', left: eq('type', 'work'), right: { kind: 'compare', path: { attribute: 'value' }, op: 'co', value: '@example.com' } },
    });
    expect(parseFilter('userType eq "Employee" and emails[type eq "work"]')).toMatchObject({ kind: 'and', right: { kind: 'valuePath' } });
  });

  it("accepts Entra's emails[type eq \"work\"].value eq \"x\" as a comparison whose path carries the filter", () => {
    expect(parseFilter('emails[type eq "work"].value eq "user@contoso.com"')).toEqual({
      kind: 'compare',
      path: { attribute: 'emails', valueFilter: eq('type', 'work'), subAttribute: 'value' },
      op: 'eq',
      value: 'user@contoso.com',
    });
  });

  it('parses sub-attributes and URN-qualified names, splitting the URN at its last colon', () => {
    expect(parseFilter('name.familyName co "O\'Malley"')).toMatchObject({ path: { attribute: 'name', subAttribute: 'familyName' } });
    expect(parseFilter(`${ENTERPRISE}:department eq "Sales"`)).toMatchObject({ path: { uri: ENTERPRISE, attribute: 'department' } });
    expect(parseFilter(`${ENTERPRISE}:manager.value eq "m1"`)).toMatchObject({ path: { uri: ENTERPRISE, attribute: 'manager', subAttribute: 'value' } });
    expect(parseFilter('urn:ietf:params:scim:schemas:extension:8x8:1.1:User:site eq "London"')).toMatchObject({
      path: { uri: 'urn:ietf:params:scim:schemas:extension:8x8:1.1:User', attribute: 'site' },
    });
    expect(parseFilter('meta.lastModified gt "2011-05-13T04:42:34Z"')).toMatchObject({ op: 'gt', path: { attribute: 'meta', subAttribute: 'lastModified' } });
  });

  it('formats back to the canonical text', () => {
    expect(formatFilter(parseFilter('userName Eq "a" OR (title pr AND NOT(active eq false))'))).toBe('userName eq "a" or title pr and not (active eq false)');
    expect(formatFilter(parseFilter('a eq "1" and (b eq "2" and c eq "3")'))).toBe('a eq "1" and (b eq "2" and c eq "3")');
    expect(formatFilter(parseFilter('emails[type eq "work"].value eq "x"'))).toBe('emails[type eq "work"].value eq "x"');
  });

  it.each([
    ['', 'empty filter'],
    ['   ', 'empty filter'],
    ['userName', 'expected an operator'],
    ['userName eq', 'expected a value'],
    ['userName eq "x', 'unterminated string'],
    ['userName eq "\\x"', 'invalid escape'],
    ['userName eq "a\\u0000b"', 'a NUL character'],
    ['userName eq "\\ud800"', 'half of a surrogate pair'],
    ['userName zz "x"', 'expected an operator'],
    ['userName eq "x" and', 'expected an attribute name'],
    ['userName eq "x" or or', 'expected an operator'],
    ['(userName eq "x"', "expected ')'"],
    ['userName eq "x")', "unexpected ')'"],
    ['emails[type eq "work"', "expected ']'"],
    ['emails[type[value eq "x"] eq "y"]', 'cannot be nested'],
    ['a.b.c eq "x"', 'not a valid attribute path'],
    ['foo:bar eq "x"', "only URNs may contain ':'"],
    ['userName eq "x" userName eq "y"', "unexpected 'u'"],
    ['" or 1=1 --', 'expected an attribute name'],
  ])('rejects %j with ScimError invalidFilter (%s)', (text, message) => {
    const error = failure(() => parseFilter(text));
    expect(error).toMatchObject({ status: 400, scimType: 'invalidFilter' });
    expect(error.detail).toContain(message);
  });

  it('says where it failed', () => {
    expect(failure(() => parseFilter('userName eq "x" and title zz "y"')).detail).toBe(
      "Invalid filter: expected an operator (eq, ne, co, sw, ew, gt, ge, lt, le, pr) after 'title' at position 27 near 'zz \"y\"'",
    );
  });

  it('caps the length and the nesting depth: a filter past them is tooMany (more than we process), a path past them invalid', () => {
    expect(failure(() => parseFilter(`userName eq "${'x'.repeat(5000)}"`))).toMatchObject({ scimType: 'tooMany', detail: expect.stringContaining('longer than 4096') });
    const deep = (n: number) => `${'('.repeat(n)}a eq "1"${')'.repeat(n)}`;
    expect(parseFilter(deep(MAX_FILTER_DEPTH))).toEqual(eq('a', '1'));
    expect(failure(() => parseFilter(deep(MAX_FILTER_DEPTH + 1)))).toMatchObject({ scimType: 'tooMany', detail: expect.stringContaining('nested more than 50') });
    expect(failure(() => parseFilter(`${'not '.repeat(60)}a eq "1"`)).scimType).toBe('tooMany');
    expect(failure(() => parseAttributePath(`emails[${'x'.repeat(5000)}]`)).scimType).toBe('invalidPath');
  });

  it('parses a long flat chain without deep recursion', () => {
    const chain = Array.from({ length: 300 }, (_, i) => `a eq "${i}"`).join(' or ');
    expect(formatFilter(parseFilter(chain))).toBe(chain);
  });
});

describe('parseAttributePath', () => {
  it.each([
    ['userName', { attribute: 'userName' }],
    ['name.givenName', { attribute: 'name', subAttribute: 'givenName' }],
    [`${ENTERPRISE}:department`, { uri: ENTERPRISE, attribute: 'department' }],
    [`${ENTERPRISE}:manager.value`, { uri: ENTERPRISE, attribute: 'manager', subAttribute: 'value' }],
    [ENTERPRISE, { uri: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0', attribute: 'User' }],
    ['members[value eq "2819c223"]', { attribute: 'members', valueFilter: eq('value', '2819c223') }],
    ['emails[type eq "work"].value', { attribute: 'emails', valueFilter: eq('type', 'work'), subAttribute: 'value' }],
    ['members.$ref', { attribute: 'members', subAttribute: '$ref' }],
  ])('parses %s', (text, expected) => {
    expect(parseAttributePath(text)).toEqual(expected);
  });

  it.each(['', 'emails[type eq "work"', 'emails[type eq "work"].', 'name.givenName[type eq "x"]', 'a b', 'emails[type eq "work"]x'])(
    'rejects %j with ScimError invalidPath',
    (text) => {
      expect(failure(() => parseAttributePath(text))).toMatchObject({ status: 400, scimType: 'invalidPath' });
    },
  );
});
