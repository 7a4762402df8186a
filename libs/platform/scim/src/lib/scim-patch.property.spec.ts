import fc from 'fast-check';
import { ScimError } from './scim-errors';
import { applyPatch } from './scim-patch.apply';
import { normalizePatch, PATCH_OP_SCHEMA } from './scim-patch.normalize';
import { CORE_USER, deepFreeze, ENTERPRISE, SITE_EXTENSION, userType } from './scim-test.fixtures';

type Json = Record<string, unknown>;

const alice: Json = deepFreeze({
  schemas: [CORE_USER, ENTERPRISE],
  id: 'u1',
  externalId: 'alice',
  userName: 'alice@contoso.com',
  active: true,
  displayName: 'Alice',
  name: { familyName: 'Example', givenName: 'Alice' },
  emails: [{ primary: true, type: 'work', value: 'alice@contoso.com' }],
  phoneNumbers: [{ type: 'work', value: '+15555550101' }],
  [ENTERPRISE]: { department: 'Support', manager: { value: 'm1' } },
});

const PATHS = [
  'displayName', 'nickName', 'title', 'active', 'ACTIVE', 'name', 'name.givenName', 'NAME.familyname', 'emails', 'emails[type eq "work"].value',
  'emails[type eq "home"].value', 'emails[primary eq true].value', 'emails[value co "x"].type', 'emails[type eq "work"]', 'phoneNumbers',
  'phoneNumbers[type eq "mobile"].value', 'externalId', 'userName', 'id', 'groups', 'loginCount', 'favoriteColor', ENTERPRISE,
  `${ENTERPRISE}:department`, `${ENTERPRISE}:manager`, `${ENTERPRISE}:manager.value`, `${SITE_EXTENSION}:site`, 'emails[type eq', 'members',
];

const text = fc.string({ maxLength: 6 });
const element = fc.record({ type: fc.constantFrom('work', 'home', 'WORK', 'mobile'), value: text, primary: fc.constantFrom(true, false, 'True', 'false', undefined) }, { requiredKeys: ['value'] });
const value = fc.oneof(
  text,
  fc.constantFrom('', null, 'True', 'False', 'false', true, false, 0, 7, 1.5, [], {}),
  fc.array(element, { maxLength: 3 }),
  element,
  fc.dictionary(fc.constantFrom(...PATHS, 'schemas', 'meta', 'USERNAME'), fc.oneof(text, fc.constantFrom(null, '', 'True'), element), { maxKeys: 3 }),
);
const chaotic = fc.record(
  { op: fc.constantFrom('add', 'replace', 'remove', 'Add', 'Replace', 'Remove', 'move'), path: fc.constantFrom(...PATHS), value },
  { requiredKeys: ['op'] },
);
/** Mostly well-formed requests, so that most runs get past validation and exercise applyPatch. */
const sensible = fc.oneof(
  fc.record({ op: fc.constantFrom('add', 'replace', 'Replace'), path: fc.constantFrom('displayName', 'title', 'name.givenName', `${ENTERPRISE}:department`, 'emails[type eq "home"].value', 'phoneNumbers[type eq "mobile"].value', 'emails[primary eq true].value'), value: text }),
  fc.record({ op: fc.constantFrom('add', 'replace'), path: fc.constantFrom('emails', 'phoneNumbers'), value: fc.array(element, { maxLength: 3 }) }),
  fc.record({ op: fc.constantFrom('remove', 'Remove'), path: fc.constantFrom('title', 'emails', 'emails[type eq "work"]', 'name.givenName', `${ENTERPRISE}:manager`, ENTERPRISE, 'phoneNumbers[type eq "work"].value') }),
  fc.record({ op: fc.constantFrom('replace', 'Replace'), path: fc.constantFrom('active'), value: fc.constantFrom(true, false, 'True', 'False') }),
  fc.record({ op: fc.constantFrom('add', 'replace'), value: fc.dictionary(fc.constantFrom('nickName', 'name.familyName', `${ENTERPRISE}:costCenter`, 'externalId'), text, { maxKeys: 3 }) }),
);
const operation = fc.oneof({ weight: 4, arbitrary: sensible }, { weight: 1, arbitrary: chaotic });
const operations = fc.array(operation, { minLength: 1, maxLength: 6 });

const run = (ops: unknown[], resource: Json = alice) => applyPatch(resource, normalizePatch({ schemas: [PATCH_OP_SCHEMA], Operations: ops }, userType), userType);

const typed = (list: unknown, type: string) => ((list as Json[] | undefined) ?? []).filter((item) => String(item.type).toLowerCase() === type);

/** Each target: a path to replace, a valid value for it, and how to read the value back. */
const targets: { path: string; value: fc.Arbitrary<unknown>; read: (resource: Json) => unknown; expected?: (value: unknown) => unknown }[] = [
  { path: 'displayName', value: fc.string({ minLength: 1 }), read: (r) => r.displayName },
  { path: 'name.givenName', value: fc.string({ minLength: 1 }), read: (r) => (r.name as Json).givenName },
  { path: `${ENTERPRISE}:department`, value: fc.string({ minLength: 1 }), read: (r) => (r[ENTERPRISE] as Json).department },
  { path: 'externalId', value: fc.string({ minLength: 1 }), read: (r) => r.externalId },
  { path: 'active', value: fc.constantFrom(true, false, 'True', 'False', 'true'), read: (r) => r.active, expected: (v) => v === true || String(v).toLowerCase() === 'true' },
  {
    path: 'emails[type eq "work"].value',
    value: fc.string({ minLength: 1 }),
    read: (r) => [...new Set(typed(r.emails, 'work').map((item) => item.value))],
    expected: (v) => [v],
  },
  {
    path: 'phoneNumbers[type eq "mobile"].value',
    value: fc.string({ minLength: 1 }),
    read: (r) => [...new Set(typed(r.phoneNumbers, 'mobile').map((item) => item.value))],
    expected: (v) => [v],
  },
];

function findEmpty(value: unknown, at = '$'): string | undefined {
  if (value === null || value === '' || (Array.isArray(value) && value.length === 0)) return at;
  if (typeof value !== 'object') return undefined;
  for (const [key, item] of Object.entries(value)) {
    const found = findEmpty(item, `${at}.${key}`);
    if (found !== undefined) return found;
  }
  return undefined;
}

describe('PATCH properties', () => {
  it('either throws a ScimError or returns a resource, and never mutates the input', () => {
    const snapshot = structuredClone(alice);
    fc.assert(
      fc.property(operations, (ops) => {
        try {
          const result = run(ops);
          expect(typeof result).toBe('object');
          expect(result.id).toBe('u1');
          expect(result.userName).toBeTruthy();
          // Clearing removes: no nulls, empty strings or empty lists are ever stored.
          expect(findEmpty(result)).toBeUndefined();
        } catch (error) {
          if (!(error instanceof ScimError)) throw error;
          expect(error.status).toBe(400);
        }
        expect(alice).toEqual(snapshot);
      }),
      { numRuns: 300 },
    );
  });

  it('reads back the value of a replace, whatever came before it', () => {
    const target = fc.constantFrom(...targets).chain((t) => fc.tuple(fc.constant(t), t.value));
    fc.assert(
      fc.property(operations, target, fc.boolean(), (before, [t, replacement], pathLess) => {
        let start = alice;
        try {
          start = run(before);
        } catch (error) {
          if (!(error instanceof ScimError)) throw error;
        }
        const replace = pathLess ? { op: 'Replace', value: { [t.path]: replacement } } : { op: 'Replace', path: t.path, value: replacement };
        expect(t.read(run([replace], start))).toEqual(t.expected ? t.expected(replacement) : replacement);
      }),
      { numRuns: 200 },
    );
  });
});
