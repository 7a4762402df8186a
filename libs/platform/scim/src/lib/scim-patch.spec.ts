import { ScimError } from './scim-errors';
import { applyPatch } from './scim-patch.apply';
import { MAX_PATCH_OPERATIONS, normalizePatch, PATCH_OP_SCHEMA } from './scim-patch.normalize';
import { CORE_USER, deepFreeze, ENTERPRISE, SITE_ALIAS, SITE_EXTENSION, userType } from './scim-test.fixtures';

type Json = Record<string, unknown>;

const alice: Json = deepFreeze({
  schemas: [CORE_USER, ENTERPRISE],
  id: 'u1',
  externalId: 'alice',
  userName: 'alice@contoso.com',
  active: true,
  displayName: 'Alice Example',
  nickName: 'Al',
  title: 'Engineer',
  name: { formatted: 'Alice Example', familyName: 'Example', givenName: 'Alice' },
  emails: [{ primary: true, type: 'work', value: 'alice@contoso.com' }],
  phoneNumbers: [{ type: 'work', value: '+15555550101' }],
  [ENTERPRISE]: { department: 'Support' },
  meta: { resourceType: 'User', created: '2024-01-01T00:00:00Z' },
});

const body = (Operations: unknown[]) => ({ schemas: [PATCH_OP_SCHEMA], Operations });
const normalize = (operations: unknown[]) => normalizePatch(body(operations), userType);
const patch = (operations: unknown[], resource: Json = alice) => applyPatch(resource, normalize(operations), userType);

function failure(run: () => unknown): ScimError {
  try {
    run();
  } catch (error) {
    if (error instanceof ScimError) return error;
    throw error;
  }
  throw new Error('expected a ScimError');
}

describe('PATCH from Entra without aadOptscim062020 (default dialect)', () => {
  const operations = [
    { op: 'Replace', path: 'emails[type eq "work"].value', value: 'new@contoso.com' },
    { op: 'Replace', path: 'name.familyName', value: 'Smith' },
    { op: 'Add', path: 'phoneNumbers[type eq "mobile"].value', value: '+15555550199' },
    { op: 'Replace', path: `${ENTERPRISE}:department`, value: 'Sales' },
    { op: 'Replace', path: 'active', value: 'True' },
  ];

  it('normalizes capitalised ops, string booleans and every path form', () => {
    expect(normalize(operations)).toEqual([
      { op: 'replace', path: { attribute: 'emails', valueFilter: { kind: 'compare', path: { attribute: 'type' }, op: 'eq', value: 'work' }, subAttribute: 'value' }, value: 'new@contoso.com', known: true },
      { op: 'replace', path: { attribute: 'name', subAttribute: 'familyName' }, value: 'Smith', known: true },
      { op: 'add', path: { attribute: 'phoneNumbers', valueFilter: { kind: 'compare', path: { attribute: 'type' }, op: 'eq', value: 'mobile' }, subAttribute: 'value' }, value: '+15555550199', known: true },
      { op: 'replace', path: { uri: ENTERPRISE, attribute: 'department' }, value: 'Sales', known: true },
      { op: 'replace', path: { attribute: 'active' }, value: true, known: true },
    ]);
  });

  it('applies them, creating the missing mobile phone', () => {
    expect(patch(operations)).toEqual({
      ...alice,
      name: { formatted: 'Alice Example', familyName: 'Smith', givenName: 'Alice' },
      emails: [{ primary: true, type: 'work', value: 'new@contoso.com' }],
      phoneNumbers: [{ type: 'work', value: '+15555550101' }, { type: 'mobile', value: '+15555550199' }],
      [ENTERPRISE]: { department: 'Sales' },
    });
  });

  it('disables with the string "False" (and "false")', () => {
    expect(patch([{ op: 'Replace', path: 'active', value: 'False' }]).active).toBe(false);
    expect(patch([{ op: 'Replace', path: 'active', value: 'false' }]).active).toBe(false);
  });

  it('sets a single string attribute with Add', () => {
    expect(patch([{ op: 'Add', path: 'nickName', value: 'Babs' }]).nickName).toBe('Babs');
  });
});

describe('PATCH from Entra with aadOptscim062020', () => {
  const operations = [
    { op: 'replace', path: 'emails[type eq "work"].value', value: 'new@contoso.com' },
    {
      op: 'replace',
      value: { displayName: 'Alice Smith', 'name.givenName': 'Alicia', 'name.familyName': 'Smith', [`${ENTERPRISE}:department`]: 'Sales' },
    },
  ];

  it('expands the path-less value into one operation per dotted or URN-qualified key', () => {
    expect(normalize(operations).map((op) => [op.op, op.path, op.value])).toEqual([
      ['replace', expect.objectContaining({ attribute: 'emails', subAttribute: 'value' }), 'new@contoso.com'],
      ['replace', { attribute: 'displayName' }, 'Alice Smith'],
      ['replace', { attribute: 'name', subAttribute: 'givenName' }, 'Alicia'],
      ['replace', { attribute: 'name', subAttribute: 'familyName' }, 'Smith'],
      ['replace', { uri: ENTERPRISE, attribute: 'department' }, 'Sales'],
    ]);
  });

  it('applies them', () => {
    expect(patch(operations)).toEqual({
      ...alice,
      displayName: 'Alice Smith',
      name: { formatted: 'Alice Example', familyName: 'Smith', givenName: 'Alicia' },
      emails: [{ primary: true, type: 'work', value: 'new@contoso.com' }],
      [ENTERPRISE]: { department: 'Sales' },
    });
  });

  it('disables with a real boolean, and Okta with a path-less value', () => {
    expect(patch([{ op: 'replace', path: 'active', value: false }]).active).toBe(false);
    expect(patch([{ op: 'replace', value: { active: false } }]).active).toBe(false);
    expect(patch([{ op: 'replace', value: { active: 'False' } }]).active).toBe(false);
  });

  it('expands an extension object keyed by its URN, and a nested complex value', () => {
    const result = patch([
      { op: 'add', value: { [ENTERPRISE]: { department: 'Sales', employeeNumber: '42', manager: 'm1' }, name: { givenName: 'Alicia' } } },
    ]);
    expect(result[ENTERPRISE]).toEqual({ department: 'Sales', employeeNumber: '42', manager: { value: 'm1' } });
    expect(result.name).toEqual({ formatted: 'Alice Example', familyName: 'Example', givenName: 'Alicia' });
  });

  it('matches attribute names and the op case-insensitively and writes schema spelling', () => {
    const result = patch([
      { op: 'REPLACE', value: { USERNAME: 'a@b.c', 'NAME.GIVENNAME': 'Ali', [`${ENTERPRISE.toLowerCase()}:DEPARTMENT`]: 'Ops' } },
      { op: 'replace', path: 'EMAILS[TYPE eq "WORK"].VALUE', value: 'w@b.c' },
    ]);
    expect(result.userName).toBe('a@b.c');
    expect(result.name).toMatchObject({ givenName: 'Ali' });
    expect(result[ENTERPRISE]).toEqual({ department: 'Ops' });
    expect(result.emails).toEqual([{ primary: true, type: 'work', value: 'w@b.c' }]);
  });

  it('renames a stored key spelled in another case', () => {
    const { userName: _canonical, ...rest } = alice;
    const stored = deepFreeze({ ...rest, username: 'old' });
    const result = patch([{ op: 'replace', path: 'userName', value: 'new' }], stored);
    expect(result.userName).toBe('new');
    expect(Object.keys(result).filter((key) => key.toLowerCase() === 'username')).toEqual(['userName']);
  });
});

describe('PATCH edge shapes', () => {
  it('flags unknown attributes instead of failing, and applyPatch skips them', () => {
    const ops = normalize([
      { op: 'add', path: 'favoriteColor', value: 'blue' },
      { op: 'replace', value: { 'name.middleName': 'Q', 'urn:example:ext:User:x': 1, 'not a path': 2, title: 'CTO' } },
    ]);
    expect(ops.map((op) => op.known)).toEqual([false, false, false, false, true]);
    expect(applyPatch(alice, ops, userType)).toEqual({ ...alice, title: 'CTO' });
  });

  it('takes as many operations as one request may hold', () => {
    const ops = normalize(Array.from({ length: MAX_PATCH_OPERATIONS }, (_, index) => ({ op: 'replace', path: 'title', value: `T${index}` })));
    expect(applyPatch(alice, ops, userType)).toEqual({ ...alice, title: `T${MAX_PATCH_OPERATIONS - 1}` });
  });

  it('drops echoed schemas and meta from a path-less value', () => {
    expect(normalize([{ op: 'replace', value: { schemas: [CORE_USER], meta: {}, title: 'X' } }])).toEqual([
      { op: 'replace', path: { attribute: 'title' }, value: 'X', known: true },
    ]);
  });

  it('stores no empty value nested in an element either (found by the property test)', () => {
    // An attribute the schema does not know is kept as sent, less what carries nothing.
    const result = patch([{ op: 'add', path: 'emails[type eq "work"]', value: { displayName: { value: '' }, type: 'work' } }]);
    expect(result.emails).toEqual([{ primary: true, type: 'work', value: 'alice@contoso.com' }]);
    const merged = patch([{ op: 'add', path: 'emails[type eq "work"]', value: { displayName: { label: 'Work', note: null, tags: [] } } }]);
    expect(merged.emails).toEqual([{ primary: true, type: 'work', value: 'alice@contoso.com', displayName: { label: 'Work' } }]);
  });

  it('clears an attribute set to "" or null (Logic App null update)', () => {
    const result = patch([
      { op: 'replace', path: 'nickName', value: '' },
      { op: 'replace', path: 'title', value: null },
      { op: 'replace', path: 'name.givenName', value: null },
      { op: 'replace', path: 'phoneNumbers[type eq "work"].value', value: '' },
      { op: 'replace', value: { displayName: null, [`${ENTERPRISE}:department`]: '' } },
    ]);
    expect(result).not.toHaveProperty('nickName');
    expect(result).not.toHaveProperty('title');
    expect(result).not.toHaveProperty('displayName');
    expect(result).not.toHaveProperty('phoneNumbers');
    expect(result.name).toEqual({ formatted: 'Alice Example', familyName: 'Example' });
    expect(result).not.toHaveProperty(ENTERPRISE);
    expect(result.schemas).toEqual([CORE_USER]);
  });

  it('adds the extension URN to schemas when an extension attribute appears', () => {
    const result = patch([{ op: 'add', path: `${SITE_EXTENSION}:site`, value: 'London' }]);
    expect(result[SITE_EXTENSION]).toEqual({ site: 'London' });
    expect(result.schemas).toEqual([CORE_USER, ENTERPRISE, SITE_EXTENSION]);
  });

  it('accepts an extension alias URN and stores under the canonical one', () => {
    const stored = deepFreeze({ ...alice, [SITE_ALIAS]: { site: 'Paris' } });
    expect(patch([{ op: 'add', path: `${SITE_ALIAS}:site`, value: 'Paris' }], stored)).toEqual({ ...alice, [SITE_EXTENSION]: { site: 'Paris' } });
  });

  it('handles the manager shapes: value array, bare string, remove by filter', () => {
    const manager = `${ENTERPRISE}:manager`;
    const withManager = patch([{ op: 'Add', path: manager, value: [{ $ref: '../Users/m1', value: 'm1' }] }]);
    expect(withManager[ENTERPRISE]).toEqual({ department: 'Support', manager: { $ref: '../Users/m1', value: 'm1' } });
    expect(patch([{ op: 'replace', path: manager, value: 'm2' }])[ENTERPRISE]).toEqual({ department: 'Support', manager: { value: 'm2' } });
    expect(patch([{ op: 'remove', path: `${manager}[value eq "m9"]` }], withManager)).toEqual(withManager);
    expect(patch([{ op: 'remove', path: `${manager}[value eq "m1"]` }], withManager)[ENTERPRISE]).toEqual({ department: 'Support' });
  });

  it('creates a typed element on add or replace, updates it when present', () => {
    expect(patch([{ op: 'replace', path: 'emails[type eq "home"].value', value: 'h@x.com' }]).emails).toEqual([
      { primary: true, type: 'work', value: 'alice@contoso.com' },
      { type: 'home', value: 'h@x.com' },
    ]);
    expect(patch([{ op: 'add', path: 'phoneNumbers[type eq "work"].value', value: '+1' }]).phoneNumbers).toEqual([{ type: 'work', value: '+1' }]);
    expect(patch([{ op: 'add', path: 'emails[type eq "other" and primary eq "True"].value', value: 'o@x.com' }]).emails).toEqual([
      { primary: false, type: 'work', value: 'alice@contoso.com' },
      { type: 'other', primary: true, value: 'o@x.com' },
    ]);
  });

  it('matches value filters like SQL: case-insensitive, booleans as strings', () => {
    const stored = deepFreeze({ ...alice, emails: [{ primary: 'true', type: 'Work', value: 'a@x.com' }] });
    expect(patch([{ op: 'replace', path: 'emails[primary eq true].value', value: 'b@x.com' }], stored).emails).toEqual([{ primary: 'true', type: 'Work', value: 'b@x.com' }]);
    expect(patch([{ op: 'replace', path: 'emails[type eq "work"].display', value: 'A' }], stored).emails).toEqual([{ primary: 'true', type: 'Work', value: 'a@x.com', display: 'A' }]);
  });

  it('fails with noTarget when a filter matches nothing and cannot describe a new element', () => {
    expect(failure(() => patch([{ op: 'replace', path: 'emails[value co "nobody"].type', value: 'home' }]))).toMatchObject({ scimType: 'noTarget', status: 400 });
  });

  it('appends to multi-valued attributes, merging into an element with the same value and type, keeping one primary', () => {
    const result = patch([{ op: 'add', path: 'emails', value: [{ type: 'work', value: 'ALICE@contoso.com', display: 'Alice' }, { type: 'home', value: 'h@x.com', primary: 'True' }] }]);
    expect(result.emails).toEqual([
      { primary: false, type: 'work', value: 'ALICE@contoso.com', display: 'Alice' },
      { type: 'home', value: 'h@x.com', primary: true },
    ]);
    expect(patch([{ op: 'add', path: 'emails', value: { type: 'home', value: 'h@x.com' } }]).emails).toHaveLength(2);
  });

  it('replaces, and removes all or matching elements of, a multi-valued attribute', () => {
    expect(patch([{ op: 'replace', path: 'emails', value: [{ type: 'home', value: 'h@x.com' }] }]).emails).toEqual([{ type: 'home', value: 'h@x.com' }]);
    expect(patch([{ op: 'remove', path: 'emails' }])).not.toHaveProperty('emails');
    expect(patch([{ op: 'remove', path: 'emails[type eq "work"]' }])).not.toHaveProperty('emails');
    expect(patch([{ op: 'remove', path: 'emails[type eq "home"]' }]).emails).toEqual(alice.emails);
    expect(patch([{ op: 'remove', path: 'emails[type eq "work"].primary' }]).emails).toEqual([{ type: 'work', value: 'alice@contoso.com' }]);
  });

  it('removes a sub-attribute and an extension attribute', () => {
    expect(patch([{ op: 'remove', path: 'name.formatted' }]).name).toEqual({ familyName: 'Example', givenName: 'Alice' });
    const result = patch([{ op: 'remove', path: `${ENTERPRISE}:department` }]);
    expect(result).not.toHaveProperty(ENTERPRISE);
    expect(result.schemas).toEqual([CORE_USER]);
    expect(patch([{ op: 'remove', path: ENTERPRISE }])).not.toHaveProperty(ENTERPRISE);
  });

  it('passes the validator "Multiple Operations on same attribute"', () => {
    const result = patch([
      { op: 'remove', path: 'externalId' },
      { op: 'add', value: { externalId: 'first' } },
      { op: 'replace', value: { externalId: 'second' } },
    ]);
    expect(result.externalId).toBe('second');
  });

  it('passes the validator "Multiple Operations on different attributes"', () => {
    const result = patch([
      { op: 'remove', path: 'nickName' },
      { op: 'add', value: { externalId: 'ext-2' } },
      { op: 'replace', value: { displayName: 'Renamed' } },
    ]);
    expect(result).not.toHaveProperty('nickName');
    expect(result).toMatchObject({ externalId: 'ext-2', displayName: 'Renamed' });
  });

  it('enforces mutability, but lets an unchanged echo through', () => {
    expect(failure(() => patch([{ op: 'replace', path: 'id', value: 'other' }]))).toMatchObject({ scimType: 'mutability' });
    expect(patch([{ op: 'replace', value: { id: 'u1', userName: 'alice@contoso.com' } }])).toEqual(alice);
    expect(failure(() => patch([{ op: 'remove', path: 'userName' }]))).toMatchObject({ scimType: 'mutability' });
    expect(failure(() => patch([{ op: 'replace', path: 'userName', value: '' }]))).toMatchObject({ scimType: 'mutability' });
    expect(failure(() => patch([{ op: 'add', path: 'groups', value: [{ value: 'g1' }] }]))).toMatchObject({ scimType: 'mutability' });
    const withSite = patch([{ op: 'add', path: `${SITE_EXTENSION}:site`, value: 'London' }]);
    expect(failure(() => patch([{ op: 'replace', path: `${SITE_EXTENSION}:site`, value: 'Paris' }], withSite))).toMatchObject({ scimType: 'mutability' });
  });

  it('is all-or-nothing: a failing operation leaves the input as it was', () => {
    const input = deepFreeze(structuredClone(alice));
    const snapshot = structuredClone(input);
    const error = failure(() =>
      patch(
        [
          { op: 'replace', path: 'displayName', value: 'Changed' },
          { op: 'add', path: 'emails', value: [{ type: 'home', value: 'h@x.com' }] },
          { op: 'replace', path: 'emails[value ew "@nowhere"].value', value: 'x' },
        ],
        input,
      ),
    );
    expect(error.scimType).toBe('noTarget');
    expect(input).toEqual(snapshot);
  });

  it.each<[string, unknown, string]>([
    ['a non-object body', [], 'invalidSyntax'],
    ['missing schemas', { Operations: [{ op: 'add', path: 'title', value: 'x' }] }, 'invalidSyntax'],
    ['a wrong schema', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], Operations: [{ op: 'add', path: 'title', value: 'x' }] }, 'invalidSyntax'],
    ['no Operations', { schemas: [PATCH_OP_SCHEMA] }, 'invalidSyntax'],
    ['empty Operations', body([]), 'invalidValue'],
    ['more operations than one request takes', body(Array.from({ length: MAX_PATCH_OPERATIONS + 1 }, (_, index) => ({ op: 'add', path: 'emails', value: [{ value: `u${index}@x` }] }))), 'invalidValue'],
    ['an unknown op', body([{ op: 'Move', path: 'title', value: 'x' }]), 'invalidSyntax'],
    ['remove without a path', body([{ op: 'Remove', value: { title: 'x' } }]), 'noTarget'],
    ['add without a value', body([{ op: 'add', path: 'title' }]), 'invalidValue'],
    ['a path-less array value', body([{ op: 'add', value: [1] }]), 'invalidValue'],
    ['a malformed path', body([{ op: 'add', path: 'emails[type eq', value: 'x' }]), 'invalidPath'],
    ['a non-boolean for active', body([{ op: 'replace', path: 'active', value: 'maybe' }]), 'invalidValue'],
    ['an object for a string', body([{ op: 'replace', path: 'title', value: { a: 1 } }]), 'invalidValue'],
    ['a fraction for an integer', body([{ op: 'replace', path: 'loginCount', value: 1.5 }]), 'invalidValue'],
  ])('rejects %s', (_case, request, scimType) => {
    expect(failure(() => normalizePatch(request, userType))).toMatchObject({ status: 400, scimType });
  });

  it('accepts the PatchOp URN and the Operations key in any case', () => {
    expect(normalizePatch({ schemas: [PATCH_OP_SCHEMA.toUpperCase()], operations: [{ OP: 'Add', PATH: 'title', VALUE: 'x' }] }, userType)).toEqual([
      { op: 'add', path: { attribute: 'title' }, value: 'x', known: true },
    ]);
  });
});
