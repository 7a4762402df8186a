import { hasUnstorableText } from '@identity/platform-service';
import { ScimError, type ScimErrorType } from './scim-errors';
import { COMPARE_OPS, type AttrPath, type CompareOp, type FilterNode, type FilterValue } from './scim-filter.types';

/** Filters arrive in query strings; the caps keep a hostile one from costing more than a few µs. */
export const MAX_FILTER_LENGTH = 4096;
export const MAX_FILTER_DEPTH = 50;

const NAME = /^[A-Za-z$][A-Za-z0-9_$-]*$/;
const PATH_TOKEN = /[A-Za-z$][A-Za-z0-9_$:.-]*/y;
const WORD = /[A-Za-z]+/y;
const JSON_NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;
const BARE_VALUE = /[^\s()[\]]+/y;
const KEYWORDS = new Set(['and', 'or', 'not']);

/**
 * Parses a filter with the precedence of RFC erratum 4670: grouping, then comparisons, then `not`,
 * then `and`, then `or` (both left-associative). Throws only ScimError `invalidFilter`.
 */
export function parseFilter(text: string): FilterNode {
  const parser = new Parser(text, 'invalidFilter', 'filter');
  const node = parser.parseOr(false);
  parser.expectEnd();
  return node;
}

/**
 * Parses a PATCH path or sortBy value: `attr`, `attr.sub`, `urn:…:attr`, `urn:…:attr.sub`,
 * `attr[filter]`, `attr[filter].sub`. Throws ScimError `invalidPath` (callers may re-type it).
 */
export function parseAttributePath(text: string): AttrPath {
  const parser = new Parser(text, 'invalidPath', 'path');
  const path = parser.parsePath(false);
  parser.expectEnd();
  return path;
}

class Parser {
  private pos = 0;
  private depth = 0;

  constructor(
    private readonly text: string,
    private readonly errorType: ScimErrorType,
    private readonly what: string,
  ) {
    if (typeof text !== 'string' || text.trim() === '') this.fail(`empty ${what}`, false);
    if (text.length > MAX_FILTER_LENGTH) this.failOverLimit(`${what} longer than ${MAX_FILTER_LENGTH} characters`, false);
  }

  /** A filter past what we evaluate is `tooMany` (RFC 7644 §3.12: more than the server is willing to process); a path stays invalid. */
  private failOverLimit(message: string, withPosition = true): never {
    this.fail(message, withPosition, this.pos, this.errorType === 'invalidFilter' ? 'tooMany' : this.errorType);
  }

  parseOr(inValuePath: boolean): FilterNode {
    let left = this.parseAnd(inValuePath);
    while (this.takeKeyword('or')) left = { kind: 'or', left, right: this.parseAnd(inValuePath) };
    return left;
  }

  expectEnd(): void {
    this.skipSpace();
    if (this.pos < this.text.length) this.fail(`unexpected '${this.text[this.pos]}'`);
  }

  /** `attr`, `urn:…:attr.sub`, and (outside value filters) `attr[filter]` optionally followed by `.sub`. */
  parsePath(inValuePath: boolean): AttrPath {
    this.skipSpace();
    const start = this.pos;
    PATH_TOKEN.lastIndex = this.pos;
    const match = PATH_TOKEN.exec(this.text);
    if (!match) this.fail('expected an attribute name');
    this.pos += match[0].length;
    const path = this.splitPathToken(match[0], start);
    if (this.text[this.pos] !== '[') return path;
    if (inValuePath) this.fail('value filters cannot be nested');
    if (path.subAttribute !== undefined) this.fail('a value filter must follow an attribute, not a sub-attribute');
    this.pos++;
    const valueFilter = this.nested(() => this.parseOr(true));
    this.skipSpace();
    if (this.text[this.pos] !== ']') this.fail("expected ']'");
    this.pos++;
    const withFilter: AttrPath = { ...path, valueFilter };
    if (this.text[this.pos] !== '.') return withFilter;
    this.pos++;
    const subStart = this.pos;
    PATH_TOKEN.lastIndex = this.pos;
    const sub = PATH_TOKEN.exec(this.text)?.[0] ?? '';
    if (!NAME.test(sub)) this.fail("expected a sub-attribute name after ']'", true, subStart);
    this.pos += sub.length;
    return { ...withFilter, subAttribute: sub };
  }

  private parseAnd(inValuePath: boolean): FilterNode {
    let left = this.parseNot(inValuePath);
    while (this.takeKeyword('and')) left = { kind: 'and', left, right: this.parseNot(inValuePath) };
    return left;
  }

  private parseNot(inValuePath: boolean): FilterNode {
    this.skipSpace();
    const save = this.pos;
    if (this.takeKeyword('not')) {
      // `not eq "x"` is a comparison on an attribute called "not", not a negation.
      const afterKeyword = this.pos;
      this.skipSpace();
      PATH_TOKEN.lastIndex = this.pos;
      const next = PATH_TOKEN.exec(this.text)?.[0];
      if (next === undefined || !isOperator(next)) {
        this.pos = afterKeyword;
        return { kind: 'not', filter: this.nested(() => this.parseNot(inValuePath)) };
      }
      this.pos = save;
    }
    return this.parsePrimary(inValuePath);
  }

  private parsePrimary(inValuePath: boolean): FilterNode {
    this.skipSpace();
    if (this.text[this.pos] === '(') {
      this.pos++;
      const inner = this.nested(() => this.parseOr(inValuePath));
      this.skipSpace();
      if (this.text[this.pos] !== ')') this.fail("expected ')'");
      this.pos++;
      return inner;
    }
    const pathStart = this.pos;
    const path = this.parsePath(inValuePath);
    const opStart = this.skipSpace();
    const word = this.peekWord()?.toLowerCase();
    if (path.valueFilter !== undefined && path.subAttribute === undefined && (word === undefined || !isOperator(word))) {
      const { valueFilter, ...attr } = path;
      return { kind: 'valuePath', path: attr, filter: valueFilter };
    }
    const name = this.text.slice(pathStart, opStart).trim();
    if (word === undefined || !isOperator(word)) this.fail(`expected an operator (eq, ne, co, sw, ew, gt, ge, lt, le, pr) after '${name}'`);
    this.pos += word.length;
    if (word === 'pr') return { kind: 'present', path };
    return { kind: 'compare', path, op: word as CompareOp, value: this.parseValue(name, word) };
  }

  private parseValue(name: string, op: string): FilterValue {
    this.skipSpace();
    const start = this.pos;
    if (this.text[this.pos] === '"') {
      let i = this.pos + 1;
      while (i < this.text.length && this.text[i] !== '"') i += this.text[i] === '\\' ? 2 : 1;
      if (i >= this.text.length) this.fail('unterminated string');
      this.pos = i + 1;
      let value: string;
      try {
        value = JSON.parse(this.text.slice(start, this.pos)) as string;
      } catch {
        this.fail('invalid escape in string', true, start);
      }
      // `\u0000` or half a surrogate pair, escaped: no stored value holds one, and PostgreSQL refuses it as a parameter.
      if (hasUnstorableText(value)) this.fail('a NUL character or half of a surrogate pair in a string', true, start);
      return value;
    }
    BARE_VALUE.lastIndex = this.pos;
    const bare = BARE_VALUE.exec(this.text)?.[0];
    if (bare === undefined || KEYWORDS.has(bare.toLowerCase())) this.fail(`expected a value after '${name} ${op}'`);
    this.pos += bare.length;
    const lower = bare.toLowerCase();
    if (lower === 'true') return true;
    if (lower === 'false') return false;
    if (lower === 'null') return null;
    if (JSON_NUMBER.test(bare)) return Number(bare);
    // Entra's older docs send `externalId eq jyoung`: an unquoted word is taken as a string.
    return bare;
  }

  /** URNs contain dots and colons (`…:2.0:User:manager.value`): the URI ends at the last ':'. */
  private splitPathToken(token: string, start: number): AttrPath {
    let uri: string | undefined;
    let rest = token;
    if (token.toLowerCase().startsWith('urn:')) {
      const colon = token.lastIndexOf(':');
      uri = token.slice(0, colon);
      rest = token.slice(colon + 1);
    } else if (token.includes(':')) {
      this.fail(`'${token}' is not a valid attribute path (only URNs may contain ':')`, true, start);
    }
    const parts = rest.split('.');
    if (parts.length > 2 || !parts.every((part) => NAME.test(part))) this.fail(`'${token}' is not a valid attribute path`, true, start);
    const path: AttrPath = { attribute: parts[0] };
    if (uri !== undefined) path.uri = uri;
    if (parts[1] !== undefined) path.subAttribute = parts[1];
    return path;
  }

  private nested<T>(parse: () => T): T {
    if (++this.depth > MAX_FILTER_DEPTH) this.failOverLimit(`nested more than ${MAX_FILTER_DEPTH} levels deep`);
    const result = parse();
    this.depth--;
    return result;
  }

  private takeKeyword(keyword: string): boolean {
    const save = this.pos;
    this.skipSpace();
    const word = this.peekWord();
    const after = this.text[this.pos + (word?.length ?? 0)];
    // A keyword must stand alone: `orders pr` is an attribute, `or(` and `or ` are keywords.
    if (word?.toLowerCase() === keyword && (after === undefined || after === '(' || /\s/.test(after))) {
      this.pos += word.length;
      return true;
    }
    this.pos = save;
    return false;
  }

  private peekWord(): string | undefined {
    WORD.lastIndex = this.pos;
    return WORD.exec(this.text)?.[0];
  }

  private skipSpace(): number {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos])) this.pos++;
    return this.pos;
  }

  private fail(message: string, withPosition = true, at = this.pos, errorType: ScimErrorType = this.errorType): never {
    const where = withPosition ? ` at position ${at + 1}${at < this.text.length ? ` near '${this.text.slice(at, at + 20)}'` : ' (end of input)'}` : '';
    throw new ScimError(400, errorType, `Invalid ${this.what}: ${message}${where}`);
  }
}

function isOperator(word: string): boolean {
  const lower = word.toLowerCase();
  return lower === 'pr' || (COMPARE_OPS as readonly string[]).includes(lower);
}
