import fc from 'fast-check';
import { hasUnstorableText } from '@identity/platform-service';
import { ScimError } from './scim-errors';
import { formatFilter } from './scim-filter.format';
import { parseFilter } from './scim-filter.parser';
import { COMPARE_OPS, type AttrPath, type FilterNode, type FilterValue } from './scim-filter.types';

const RESERVED = new Set(['and', 'or', 'not', 'pr', ...COMPARE_OPS]);

const name = fc.oneof(
  { weight: 9, arbitrary: fc.stringMatching(/^[A-Za-z][A-Za-z0-9_-]{0,7}$/).filter((word) => !RESERVED.has(word.toLowerCase())) },
  { weight: 1, arbitrary: fc.constant('$ref') },
);
const uri = fc.array(fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9.]{0,5}$/), { minLength: 1, maxLength: 6 }).map((parts) => `urn:${parts.join(':')}`);

const simplePath: fc.Arbitrary<AttrPath> = fc.record({ uri: fc.option(uri, { nil: undefined }), attribute: name, subAttribute: fc.option(name, { nil: undefined }) }).map(compact);

// Strings PostgreSQL can hold: the parser refuses a NUL or half a surrogate pair (see the parser's spec).
const value: fc.Arbitrary<FilterValue> = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 8 }).filter((text) => !hasUnstorableText(text)),
  fc.string({ maxLength: 8 }),
  fc.integer({ min: -1e6, max: 1e6 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }).filter((number) => !Object.is(number, -0)),
  fc.boolean(),
  fc.constant(null),
);

const op = fc.constantFrom(...COMPARE_OPS);

function leaf(path: fc.Arbitrary<AttrPath>): fc.Arbitrary<FilterNode> {
  return fc.oneof(
    { weight: 3, arbitrary: fc.record({ kind: fc.constant('compare' as const), path, op, value }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('present' as const), path }) },
  );
}

/** Filters without value paths: what may appear inside `[...]`. */
const inner = fc.letrec<{ node: FilterNode }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf(fc.record({ attribute: name }).map(compact)),
    fc.record({ kind: fc.constantFrom('and' as const, 'or' as const), left: tie('node'), right: tie('node') }),
    fc.record({ kind: fc.constant('not' as const), filter: tie('node') }),
  ),
})).node;

const entraPath: fc.Arbitrary<AttrPath> = fc.record({ attribute: name, valueFilter: inner, subAttribute: fc.option(name, { nil: undefined }) }).map(compact);

const filter = fc.letrec<{ node: FilterNode }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf(simplePath),
    fc.record({ kind: fc.constant('valuePath' as const), path: fc.record({ attribute: name }), filter: inner }),
    fc.record({ kind: fc.constant('compare' as const), path: entraPath, op, value }),
    fc.record({ kind: fc.constantFrom('and' as const, 'or' as const), left: tie('node'), right: tie('node') }),
    fc.record({ kind: fc.constant('not' as const), filter: tie('node') }),
  ),
})).node;

function compact<T extends object>(object: T): T {
  return Object.fromEntries(Object.entries(object).filter(([, item]) => item !== undefined)) as T;
}

describe('filter properties', () => {
  it('parseFilter(formatFilter(ast)) gives back the AST', () => {
    fc.assert(
      fc.property(filter, (ast) => {
        const text = formatFilter(ast);
        fc.pre(text.length <= 4096);
        expect(parseFilter(text)).toEqual(ast);
      }),
      { numRuns: 300 },
    );
  });

  it('without parentheses, comparisons bind tighter than not, not than and, and than or', () => {
    const atom = fc.record({ negated: fc.boolean(), node: leaf(simplePath) });
    const keyword = (word: string) => fc.constantFrom(word, word.toUpperCase(), word[0].toUpperCase() + word.slice(1));
    const chain = fc.tuple(atom, fc.array(fc.tuple(fc.constantFrom('and' as const, 'or' as const), atom), { maxLength: 8 }), keyword('and'), keyword('or'), keyword('not'));
    fc.assert(
      fc.property(chain, ([first, rest, andWord, orWord, notWord]) => {
        const show = ({ negated, node }: { negated: boolean; node: FilterNode }) => `${negated ? `${notWord} ` : ''}${formatFilter(node)}`;
        const text = [show(first), ...rest.map(([join, item]) => `${join === 'and' ? andWord : orWord} ${show(item)}`)].join(' ');
        const term = ({ negated, node }: { negated: boolean; node: FilterNode }): FilterNode => (negated ? { kind: 'not', filter: node } : node);
        // Expected: split on `or`, fold each run of `and` to the left, then fold the `or`s to the left.
        const groups: FilterNode[] = [term(first)];
        for (const [join, item] of rest) {
          if (join === 'or') groups.push(term(item));
          else groups[groups.length - 1] = { kind: 'and', left: groups[groups.length - 1], right: term(item) };
        }
        const expected = groups.reduce((left, right) => ({ kind: 'or', left, right }));
        expect(parseFilter(text)).toEqual(expected);
      }),
      { numRuns: 200 },
    );
  });

  it('fails on any garbage only with ScimError invalidFilter', () => {
    const token = fc.constantFrom('a', 'b.c', 'urn:x:1.0:U:d', 'eq', 'pr', '"x"', '"', '\\', '12', 'true', '(', ')', '[', ']', '.', ':', 'and', 'or', 'not', ' ', '  ');
    const text = fc.oneof(fc.string({ unit: 'binary', maxLength: 40 }), fc.array(token, { maxLength: 15 }).map((tokens) => tokens.join('')));
    fc.assert(
      fc.property(text, (input) => {
        try {
          const ast = parseFilter(input);
          expect(parseFilter(formatFilter(ast))).toEqual(ast);
        } catch (error) {
          expect(error).toBeInstanceOf(ScimError);
          expect(error).toMatchObject({ status: 400, scimType: 'invalidFilter' });
        }
      }),
      { numRuns: 500 },
    );
  });
});
