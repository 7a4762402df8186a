import { postgresAdminUrl } from '@identity/platform-testing';
import fc from 'fast-check';
import { Client } from 'pg';
import { matchesFilter } from './scim-filter.match';
import { parseFilter } from './scim-filter.parser';
import { compileFilter } from './scim-filter.sql';
import { COMMON_ATTRIBUTES } from './scim-schema.resolve';
import { ENTERPRISE, userFilterSchema, userType } from './scim-test.fixtures';

/**
 * Differential test: the compiled SQL, run by the test PostgreSQL on a temporary table, selects
 * exactly the rows whose SCIM representation matchesFilter accepts in memory, so list filters and
 * PATCH value filters mean the same thing. Columns use the C collation, whose order is JavaScript's.
 */

const COLUMNS = ['id', 'user_name', 'external_id', 'display_name', 'title', 'active', 'given_name', 'family_name', 'login_count', 'department', 'manager_id', 'email', 'home_email', 'mobile', 'work_phone'] as const;
type Row = Record<(typeof COLUMNS)[number], string | number | boolean | null>;

const chars = fc.constantFrom('a', 'b', 'A', 'B', '_', '%', '\\', '1', '@');
const text = fc.string({ unit: chars, maxLength: 3 });
const word = fc.string({ unit: chars, minLength: 1, maxLength: 3 });
const maybe = <T>(value: fc.Arbitrary<T>) => fc.option(value, { nil: null });

const row = fc.record({
  user_name: word,
  external_id: maybe(text),
  display_name: maybe(text),
  title: maybe(text),
  active: maybe(fc.boolean()),
  given_name: maybe(text),
  family_name: maybe(text),
  login_count: maybe(fc.integer({ min: -2, max: 2 })),
  department: maybe(text),
  manager_id: maybe(word),
  email: maybe(word),
  home_email: maybe(word),
  mobile: maybe(word),
  work_phone: maybe(word),
});

function resource(r: Row): Record<string, unknown> {
  const defined = (object: Record<string, unknown>) => Object.fromEntries(Object.entries(object).filter(([, value]) => value !== null));
  const name = defined({ givenName: r.given_name, familyName: r.family_name });
  const emails = [r.email !== null ? { type: 'work', value: r.email, primary: true } : null, r.home_email !== null ? { type: 'home', value: r.home_email } : null].filter(Boolean);
  const phones = [r.mobile !== null ? { type: 'mobile', value: r.mobile } : null, r.work_phone !== null ? { type: 'work', value: r.work_phone } : null].filter(Boolean);
  const enterprise = defined({ department: r.department, manager: r.manager_id !== null ? { value: r.manager_id } : null });
  return defined({
    id: r.id,
    userName: r.user_name,
    externalId: r.external_id,
    displayName: r.display_name,
    title: r.title,
    active: r.active,
    loginCount: r.login_count,
    name: Object.keys(name).length > 0 ? name : null,
    emails: emails.length > 0 ? emails : null,
    phoneNumbers: phones.length > 0 ? phones : null,
    [ENTERPRISE]: Object.keys(enterprise).length > 0 ? enterprise : null,
    meta: { resourceType: 'User' },
  });
}

type Kind = 'string' | 'boolean' | 'integer' | 'complex';
const ATTRIBUTES: [string, Kind][] = [
  ['userName', 'string'], ['externalId', 'string'], ['displayName', 'string'], ['title', 'string'], ['active', 'boolean'],
  ['name.givenName', 'string'], ['name.familyName', 'string'], ['name', 'complex'], ['loginCount', 'integer'], ['meta.resourceType', 'string'],
  ['emails', 'string'], ['emails.value', 'string'], ['emails.type', 'string'], ['emails.primary', 'boolean'], ['phoneNumbers', 'string'],
  ['phoneNumbers.value', 'string'], [`${ENTERPRISE}:department`, 'string'], [`${ENTERPRISE}:manager.value`, 'string'], [`${ENTERPRISE}:manager`, 'string'],
];
const SUB_ATTRIBUTES: [string, Kind][] = [['type', 'string'], ['value', 'string'], ['primary', 'boolean']];

function comparison([path, kind]: [string, Kind]): fc.Arbitrary<string> {
  const value: fc.Arbitrary<unknown> =
    kind === 'boolean' ? fc.constantFrom(true, false, 'True', 'false') : kind === 'integer' ? fc.oneof(fc.integer({ min: -2, max: 2 }), fc.constantFrom('1', '-1')) : fc.oneof(text, fc.constantFrom('work', 'home', 'User', 'mobile'));
  const ops = kind === 'boolean' ? ['eq', 'ne'] : kind === 'integer' ? ['eq', 'ne', 'gt', 'ge', 'lt', 'le'] : ['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le'];
  if (kind === 'complex') return fc.constant(`${path} pr`);
  return fc.oneof(
    { weight: 5, arbitrary: fc.tuple(fc.constantFrom(...ops), value).map(([op, v]) => `${path} ${op} ${JSON.stringify(v)}`) },
    { weight: 1, arbitrary: fc.constantFrom(`${path} pr`, `${path} eq null`, `${path} ne null`) },
  );
}

const tree = (leaf: fc.Arbitrary<string>) =>
  fc.letrec<{ node: string }>((tie) => ({
    node: fc.oneof(
      { depthSize: 'small' },
      leaf,
      fc.tuple(tie('node'), fc.constantFrom('and', 'or'), tie('node')).map(([a, join, b]) => `(${a}) ${join} (${b})`),
      tie('node').map((inner) => `not (${inner})`),
    ),
  })).node;

// The SQL schema knows `primary` only for emails; phone numbers have no such column.
const inner = (attribute: string) => tree(fc.constantFrom(...SUB_ATTRIBUTES.filter(([name]) => attribute === 'emails' || name !== 'primary')).chain(comparison));
const multiValued = fc.constantFrom('emails', 'phoneNumbers');
const leaf = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...ATTRIBUTES).chain(comparison) },
  { weight: 1, arbitrary: multiValued.chain((attribute) => inner(attribute).map((filter) => `${attribute}[${filter}]`)) },
  { weight: 1, arbitrary: multiValued.chain((attribute) => fc.tuple(inner(attribute), comparison(['value', 'string'])).map(([filter, compare]) => `${attribute}[${filter}].${compare}`)) },
);
const filter = tree(leaf);

describe('compiled SQL against PostgreSQL', () => {
  const db = new Client({ connectionString: postgresAdminUrl() });

  beforeAll(async () => {
    await db.connect();
    const columns = COLUMNS.map((column) => `${column} ${column === 'active' ? 'boolean' : column === 'login_count' ? 'integer' : 'text COLLATE "C"'}`);
    await db.query(`CREATE TEMP TABLE u (${columns.join(', ')}, profile jsonb DEFAULT '{}', created_at timestamptz, updated_at timestamptz)`);
  });

  afterAll(async () => {
    await db.end();
  });

  it('selects exactly the rows matchesFilter accepts', async () => {
    const attributes = [...userType.schema.attributes, ...COMMON_ATTRIBUTES];
    await fc.assert(
      fc.asyncProperty(fc.array(row, { minLength: 1, maxLength: 6 }), filter, async (generated, text) => {
        const rows: Row[] = generated.map((r, index) => ({ id: `r${index}`, ...r }));
        await db.query('TRUNCATE u');
        const values = rows.map((_, i) => `(${COLUMNS.map((__, j) => `$${i * COLUMNS.length + j + 1}`).join(', ')})`).join(', ');
        await db.query(`INSERT INTO u (${COLUMNS.join(', ')}) VALUES ${values}`, rows.flatMap((r) => COLUMNS.map((column) => r[column])));
        const node = parseFilter(text);
        const { sql, params } = compileFilter(node, userFilterSchema, 1);
        const selected = await db.query<{ id: string }>(`SELECT id FROM u WHERE ${sql} ORDER BY id`, params);
        const matched = rows.filter((r) => matchesFilter(resource(r), node, attributes)).map((r) => r.id as string);
        expect(selected.rows.map((r) => r.id)).toEqual(matched.sort());
      }),
      { numRuns: 300 },
    );
  });
});
