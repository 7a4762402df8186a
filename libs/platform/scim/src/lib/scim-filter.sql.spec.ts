import { ScimError } from './scim-errors';
import { parseFilter } from './scim-filter.parser';
import { compileFilter, compileSortBy } from './scim-filter.sql';
import { ENTERPRISE, groupFilterSchema, userFilterSchema } from './scim-test.fixtures';

const compile = (filter: string, firstParam?: number) => compileFilter(parseFilter(filter), userFilterSchema, firstParam);
const WORK_EMAIL = '(u.email IS NOT NULL)';
const HOME_EMAIL = '(u.home_email IS NOT NULL)';

function failure(run: () => unknown): ScimError {
  try {
    run();
  } catch (error) {
    if (error instanceof ScimError) return error;
    throw error;
  }
  throw new Error('expected a ScimError');
}

describe('compileFilter', () => {
  it('compares caseExact=false strings case-insensitively (Entra matching by userName)', () => {
    expect(compile('userName eq "Alice@Contoso.com"')).toEqual({ sql: 'lower(u.user_name) = lower($1)', params: ['Alice@Contoso.com'] });
  });

  it('compares caseExact=true strings exactly, and numbers its parameters from firstParam', () => {
    expect(compile('externalId eq jyoung', 3)).toEqual({ sql: 'u.external_id = $3', params: ['jyoung'] });
    expect(compile('id eq "u1" and externalId ne "x"', 2)).toEqual({ sql: '(u.id = $2 AND u.external_id IS DISTINCT FROM $3)', params: ['u1', 'x'] });
  });

  it('keeps an injection attempt inside a parameter', () => {
    const { sql, params } = compile('userName eq "\\" or 1=1 --"');
    expect(sql).toBe('lower(u.user_name) = lower($1)');
    expect(params).toEqual(['" or 1=1 --']);
    expect(compile("userName eq \"x'; DROP TABLE users; --\"").sql).not.toContain('DROP');
  });

  it('escapes LIKE wildcards for co, sw and ew', () => {
    expect(compile('userName co "50%_off\\\\"')).toEqual({ sql: "lower(u.user_name) LIKE lower($1) ESCAPE '\\'", params: ['%50\\%\\_off\\\\%'] });
    expect(compile('userName sw "ab"').params).toEqual(['ab%']);
    expect(compile('userName ew "ab"').params).toEqual(['%ab']);
    expect(compile('externalId co "A"')).toEqual({ sql: "u.external_id LIKE $1 ESCAPE '\\'", params: ['%A%'] });
  });

  it('makes ne NULL-safe and not two-valued', () => {
    expect(compile('title ne "Eng"').sql).toBe('lower(u.title) IS DISTINCT FROM lower($1)');
    expect(compile('not (title eq "Eng")').sql).toBe('NOT COALESCE(lower(u.title) = lower($1), FALSE)');
  });

  it('tests presence as not null and not empty for strings', () => {
    expect(compile('title pr')).toEqual({ sql: "(u.title IS NOT NULL AND u.title <> '')", params: [] });
    expect(compile('active pr').sql).toBe('u.active IS NOT NULL');
    expect(compile('title eq null').sql).toBe("NOT COALESCE((u.title IS NOT NULL AND u.title <> ''), FALSE)");
    expect(compile('name pr').sql).toBe("((u.given_name IS NOT NULL AND u.given_name <> '') OR (u.family_name IS NOT NULL AND u.family_name <> ''))");
  });

  it('reads `eq null` as "has no value" and `pr` on a multi-valued attribute as "has an element"', () => {
    expect(compile('emails pr').sql).toBe(`(${WORK_EMAIL} OR ${HOME_EMAIL})`);
    expect(compile('emails eq null').sql).toBe(`NOT COALESCE((${WORK_EMAIL} OR ${HOME_EMAIL}), FALSE)`);
    expect(compile('active ne null').sql).toBe('u.active IS NOT NULL');
  });

  it('coerces boolean strings ("True"/"false") for boolean attributes', () => {
    expect(compile('active eq "False"')).toEqual({ sql: 'u.active = $1', params: [false] });
    expect(compile('active eq True')).toEqual({ sql: 'u.active = $1', params: [true] });
  });

  it('casts dateTime parameters and coerces numeric strings', () => {
    expect(compile('meta.lastModified gt "2011-05-13T04:42:34Z"')).toEqual({ sql: 'u.updated_at > $1::timestamptz', params: ['2011-05-13T04:42:34Z'] });
    // Kiribati's +14:00 and PostgreSQL's limit pass as they are.
    for (const at of ['2011-05-13T04:42:34+14:00', '2011-05-13T04:42:34-15:59']) expect(compile(`meta.lastModified gt "${at}"`).params).toEqual([at]);
    expect(compile('meta.lastModified gt "2024-02-29T23:59:59.5+02:00"').params).toEqual(['2024-02-29T23:59:59.5+02:00']);
    expect(compile('loginCount ge "5"')).toEqual({ sql: 'u.login_count >= $1', params: [5] });
  });

  it('orders strings as text, case-insensitively unless caseExact', () => {
    expect(compile('userName lt "m"').sql).toBe('lower(u.user_name) < lower($1)');
    expect(compile('externalId le "m"').sql).toBe('u.external_id <= $1');
  });

  it('compiles a value path to an OR over the variants, folding constant sub-attributes', () => {
    expect(compile('emails[type eq "work" and value co "@x"]')).toEqual({
      sql: `(${WORK_EMAIL} AND lower(u.email) LIKE lower($1) ESCAPE '\\')`,
      params: ['%@x%'],
    });
    expect(compile('emails[type eq "home" or primary eq "True"]').sql).toBe(`(${WORK_EMAIL} OR ${HOME_EMAIL})`);
    expect(compile('emails[type eq "other"]')).toEqual({ sql: 'FALSE', params: [] });
    expect(compile('not (emails[type eq "other"])')).toEqual({ sql: 'TRUE', params: [] });
  });

  it("compiles Entra's emails[type eq \"work\"].value eq \"x\" against the matching variant only", () => {
    expect(compile('emails[type eq "work"].value eq "user@contoso.com"')).toEqual({ sql: `(${WORK_EMAIL} AND lower(u.email) = lower($1))`, params: ['user@contoso.com'] });
    expect(compile('phoneNumbers[type eq "mobile"].value eq "+1 555"')).toEqual({ sql: '((u.mobile IS NOT NULL) AND u.mobile = $1)', params: ['+1 555'] });
  });

  it('matches a multi-valued attribute without brackets if any value matches (default sub-attribute)', () => {
    const expected = `((${WORK_EMAIL} AND lower(u.email) = lower($1)) OR (${HOME_EMAIL} AND lower(u.home_email) = lower($2)))`;
    expect(compile('emails.value eq "x"')).toEqual({ sql: expected, params: ['x', 'x'] });
    expect(compile('EMAILS eq "x"')).toEqual({ sql: expected, params: ['x', 'x'] });
  });

  it('treats a sub-attribute missing from some variants as absent there', () => {
    expect(compile('emails.primary eq true').sql).toBe(WORK_EMAIL);
    expect(compile('emails.primary ne true').sql).toBe(HOME_EMAIL);
  });

  it('folds constants and leaves no gaps in parameter numbers', () => {
    expect(compile('meta.resourceType eq "User"').sql).toBe('TRUE');
    expect(compile('meta.resourceType eq "Group" and userName eq "a"')).toEqual({ sql: 'FALSE', params: [] });
    expect(compile('meta.resourceType eq "Group" or userName eq "a" or title eq "b"')).toEqual({
      sql: '(lower(u.user_name) = lower($1) OR lower(u.title) = lower($2))',
      params: ['a', 'b'],
    });
  });

  it('resolves URN-qualified names, any case, and drops core-schema URNs', () => {
    expect(compile(`${ENTERPRISE}:department eq "Sales"`).sql).toBe('lower(u.department) = lower($1)');
    expect(compile(`${ENTERPRISE.toUpperCase()}:MANAGER.VALUE eq "m1"`).sql).toBe('lower(u.manager_id) = lower($1)');
    expect(compile('urn:ietf:params:scim:schemas:core:2.0:User:USERNAME eq "a"').sql).toBe('lower(u.user_name) = lower($1)');
    const withCore = { ...userFilterSchema, schemaUrns: [...userFilterSchema.schemaUrns, 'urn:ietf:params:scim:schemas:core:2.0:user'] };
    expect(compileFilter(parseFilter('urn:ietf:params:scim:schemas:core:2.0:User:userName eq "a"'), withCore).sql).toBe('lower(u.user_name) = lower($1)');
    expect(compile("urn:ietf:params:scim:schemas:extension:8x8:1.1:User:site eq \"London\"").sql).toBe("lower((u.profile->>'site')) = lower($1)");
  });

  it("compares a complex attribute by its value (Entra's `manager eq \"id\"`)", () => {
    expect(compile(`id eq "u1" and ${ENTERPRISE}:manager eq "m1"`)).toEqual({ sql: '(u.id = $1 AND lower(u.manager_id) = lower($2))', params: ['u1', 'm1'] });
  });

  it.each([
    ['nickName eq "x"', "unknown attribute 'nickName'"],
    ['emails.foo eq "x"', "unknown attribute 'emails.foo'"],
    ['emails[foo eq "x"]', "unknown attribute 'emails.foo'"],
    ['urn:example:User:department eq "x"', "unknown attribute 'urn:example:User:department'"],
    ['active gt true', "'gt' is not allowed on boolean attribute 'active'"],
    ['active eq "maybe"', "'active' is boolean"],
    ['loginCount co "1"', "'co' is not allowed on numeric attribute"],
    ['meta.lastModified gt "yesterday"', 'is not an RFC 3339 date'],
    ['meta.lastModified gt "2026-02-30T00:00:00Z"', 'is not an RFC 3339 date'],
    ['meta.created lt "0000-01-01T00:00:00Z"', 'is not an RFC 3339 date'],
    ['meta.lastModified gt "2025-01-01T00:00:00+20:00"', 'beyond ±15:59'],
    ['name eq "x"', "'name' is complex"],
    ['title gt null', 'cannot compare'],
    ['userName[value eq "x"]', 'not a multi-valued attribute'],
  ])('rejects %s with ScimError invalidFilter', (filter, message) => {
    const error = failure(() => compile(filter));
    expect(error).toMatchObject({ status: 400, scimType: 'invalidFilter' });
    expect(error.detail).toContain(message);
  });
});

describe('compileFilter over elements in rows of their own (a group\'s members)', () => {
  const compileGroup = (filter: string) => compileFilter(parseFilter(filter), groupFilterSchema, 2);
  const MEMBER = 'FROM members m WHERE m.group_id = g.id';

  it('asks whether one member row matches the whole value filter', () => {
    expect(compileGroup('members[value eq "u1" and display sw "ann"]')).toEqual({
      sql: `EXISTS (SELECT 1 ${MEMBER} AND ((TRUE) AND (m.user_id = $2 AND lower(m.user_name) LIKE lower($3) ESCAPE '\\')))`,
      params: ['u1', 'ann%'],
    });
  });

  it('reads members.value, members (its value) and members pr as member rows', () => {
    expect(compileGroup('members.value eq "u1"').sql).toBe(`EXISTS (SELECT 1 ${MEMBER} AND ((TRUE) AND m.user_id = $2))`);
    expect(compileGroup('members eq "u1"').sql).toBe(`EXISTS (SELECT 1 ${MEMBER} AND ((TRUE) AND m.user_id = $2))`);
    expect(compileGroup('members pr').sql).toBe(`EXISTS (SELECT 1 ${MEMBER} AND (TRUE))`);
  });

  it('combines with the group\'s own attributes and negation', () => {
    expect(compileGroup('displayName eq "Sales" and not (members[value eq "u1"])')).toEqual({
      sql: `(lower(g.display_name) = lower($2) AND NOT COALESCE(EXISTS (SELECT 1 ${MEMBER} AND ((TRUE) AND m.user_id = $3)), FALSE))`,
      params: ['Sales', 'u1'],
    });
  });

  it('rejects a sub-attribute members do not have with invalidFilter', () => {
    expect(failure(() => compileGroup('members[type eq "User"]'))).toMatchObject({ status: 400, scimType: 'invalidFilter' });
  });

  it('does not sort by members (they have no first one)', () => {
    expect(compileSortBy('members.value', groupFilterSchema)).toBe('NULL::text');
  });
});

describe('compileSortBy', () => {
  it('sorts by a column, case-insensitively for caseExact=false strings', () => {
    expect(compileSortBy('userName', userFilterSchema)).toBe('lower(u.user_name)');
    expect(compileSortBy('meta.lastModified', userFilterSchema)).toBe('u.updated_at');
    expect(compileSortBy('meta.resourceType', userFilterSchema)).toBe('NULL::text');
  });

  it('sorts a multi-valued attribute by its first present element', () => {
    expect(compileSortBy('emails', userFilterSchema)).toBe(
      'COALESCE(CASE WHEN (u.email IS NOT NULL) THEN lower(u.email) END, CASE WHEN (u.home_email IS NOT NULL) THEN lower(u.home_email) END)',
    );
  });

  it.each(['bogus', 'name', 'emails[type eq "work"]', 'a b'])('rejects %j with ScimError invalidValue', (path) => {
    expect(failure(() => compileSortBy(path, userFilterSchema))).toMatchObject({ status: 400, scimType: 'invalidValue' });
  });
});
