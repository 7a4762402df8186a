import { ScimError } from './scim-errors';
import { formatAttributePath } from './scim-filter.format';
import { parseAttributePath } from './scim-filter.parser';
import type { AttrPath, CompareOp, FilterNode, FilterValue } from './scim-filter.types';
import type { FilterSchema, FilterTarget, MultiValuedVariant } from './scim-schema.types';
import { coerceFilterValue, compareScalar, isAbsent } from './scim-values';

export interface CompiledSql {
  sql: string;
  params: unknown[];
}

/**
 * A condition is folded while it is built: `true`/`false` when constants decide it, otherwise SQL
 * pieces whose parameters are numbered only at the end, so folded-away branches leave no gaps.
 */
type Piece = string | { param: unknown };
type Cond = boolean | readonly Piece[];
type MultiValued = FilterSchema['multiValued'][string];

const CORE_URI = /^urn:ietf:params:scim:schemas:core:/i;
const PLAIN_COLUMN = /^[A-Za-z_][A-Za-z0-9_.]*$/;
/** Sorting by a constant orders nothing; a bare `NULL` would be rejected as a positional ORDER BY. */
const NO_ORDER = 'NULL::text';

/**
 * Compiles a filter to a parameterized PostgreSQL boolean expression. Values only ever travel as
 * parameters `$firstParam…`; the schema's own SQL snippets are trusted configuration.
 */
export function compileFilter(node: FilterNode, schema: FilterSchema, firstParam = 1): CompiledSql {
  return render(compileNode(node, schema, undefined), firstParam);
}

/** The ORDER BY expression for `sortBy` (RFC 7644 §3.4.2.3); direction is the caller's. */
export function compileSortBy(path: string | AttrPath, schema: FilterSchema): string {
  const parsed = typeof path === 'string' ? retype(() => parseAttributePath(path)) : path;
  if (parsed.valueFilter !== undefined) throw ScimError.invalidValue(`cannot sort by a value filter: '${formatAttributePath(parsed)}'`);
  const resolved = retype(() => resolve(parsed, schema));
  if (resolved.kind === 'single') return sortExpression(resolved.target);
  if (resolved.kind === 'complex') throw ScimError.invalidValue(`cannot sort by complex attribute '${resolved.name}'`);
  // A multi-valued attribute sorts by the first element present, in the schema's variant order.
  const columns = resolved.multi.variants.flatMap((variant) => {
    // Elements in rows of their own have no first one to sort by.
    if (variant.rowsSql !== undefined) return [];
    const target = lookup(variant.subAttributes, resolved.sub);
    return target?.kind === 'column' ? [`CASE WHEN (${variant.presentSql}) THEN ${sortExpression(target)} END`] : [];
  });
  return columns.length === 0 ? NO_ORDER : columns.length === 1 ? columns[0] : `COALESCE(${columns.join(', ')})`;
}

function retype<T>(run: () => T): T {
  try {
    return run();
  } catch (error) {
    if (error instanceof ScimError) throw ScimError.invalidValue(error.detail.replace(/^Invalid (path|filter): /, 'Invalid sortBy: '));
    throw error;
  }
}

function sortExpression(target: FilterTarget): string {
  if (target.kind === 'constant') return NO_ORDER;
  return isText(target) && !target.caseExact ? `lower(${column(target)})` : column(target);
}

/** The element scope is set inside a value filter: names there are the variant's sub-attributes. */
interface ElementScope {
  owner: string;
  multi: MultiValued;
  variant: MultiValuedVariant;
}

function compileNode(node: FilterNode, schema: FilterSchema, scope: ElementScope | undefined): Cond {
  switch (node.kind) {
    case 'and':
      return and(compileNode(node.left, schema, scope), compileNode(node.right, schema, scope));
    case 'or':
      return or(compileNode(node.left, schema, scope), compileNode(node.right, schema, scope));
    case 'not':
      return not(compileNode(node.filter, schema, scope));
    case 'valuePath': {
      if (scope !== undefined) throw ScimError.invalidFilter('value filters cannot be nested');
      const name = formatAttributePath(node.path);
      const multi = findMulti(node.path, schema);
      if (multi === undefined) throw ScimError.invalidFilter(`'${name}' is not a multi-valued attribute; it cannot take [filter]`);
      return anyVariant(multi, (variant) => compileNode(node.filter, schema, { owner: name, multi, variant }));
    }
    case 'present':
    case 'compare': {
      // `x eq null` is "x has no value" even for multi-valued x; matchesFilter agrees.
      if (node.kind === 'compare' && node.value === null && (node.op === 'eq' || node.op === 'ne')) {
        const present = compileNode({ kind: 'present', path: node.path }, schema, scope);
        return node.op === 'eq' ? not(present) : present;
      }
      const leaf = (target: FilterTarget, name: string): Cond =>
        node.kind === 'present' ? present(target) : compare(target, node.op, node.value, name);
      if (scope !== undefined) return leaf(elementTarget(node.path, scope), `${scope.owner}.${node.path.attribute}`);
      const resolved = resolve(node.path, schema);
      if (resolved.kind === 'single') return leaf(resolved.target, resolved.name);
      if (resolved.kind === 'complex') {
        if (node.kind === 'present') return resolved.targets.map(present).reduce(or, false);
        // Entra checks a manager as `manager eq "<id>"`: a complex attribute compares by its `value`.
        if (resolved.value !== undefined) return leaf(resolved.value, `${resolved.name}.value`);
        throw ScimError.invalidFilter(`'${resolved.name}' is complex; compare one of its sub-attributes`);
      }
      const { multi, sub, name, valueFilter } = resolved;
      // `emails pr` asks whether any element exists, which is exactly what presentSql says.
      if (node.kind === 'present' && node.path.subAttribute === undefined && valueFilter === undefined) return anyVariant(multi, () => true);
      return anyVariant(multi, (variant) => {
        const target = lookup(variant.subAttributes, sub) ?? absentTarget(multi, sub, name);
        const selected = valueFilter !== undefined ? compileNode(valueFilter, schema, { owner: name, multi, variant }) : true;
        return and(selected, leaf(target, `${name}.${sub}`));
      });
    }
  }
}

type Resolved =
  | { kind: 'single'; target: FilterTarget; name: string }
  | { kind: 'complex'; targets: FilterTarget[]; value?: FilterTarget; name: string }
  | { kind: 'multi'; multi: MultiValued; sub: string; name: string; valueFilter?: FilterNode };

function resolve(path: AttrPath, schema: FilterSchema): Resolved {
  const name = formatAttributePath({ ...path, valueFilter: undefined });
  const base = baseKey(path, schema, name);
  const multi = lookup(schema.multiValued, base);
  if (multi !== undefined) {
    const resolved: Resolved = { kind: 'multi', multi, sub: path.subAttribute ?? multi.defaultSubAttribute, name: formatAttributePath({ ...path, subAttribute: undefined, valueFilter: undefined }) };
    return path.valueFilter !== undefined ? { ...resolved, valueFilter: path.valueFilter } : resolved;
  }
  if (path.valueFilter !== undefined) throw ScimError.invalidFilter(`'${path.attribute}' is not a multi-valued attribute; it cannot take [filter]`);
  const key = path.subAttribute !== undefined ? `${base}.${path.subAttribute.toLowerCase()}` : base;
  const target = lookup(schema.attributes, key);
  if (target !== undefined) return { kind: 'single', target, name };
  const prefix = `${key}.`;
  const targets = Object.entries(schema.attributes)
    .filter(([attribute]) => attribute.toLowerCase().startsWith(prefix))
    .map(([, subTarget]) => subTarget);
  const value = lookup(schema.attributes, `${prefix}value`);
  if (targets.length > 0) return value !== undefined ? { kind: 'complex', targets, value, name } : { kind: 'complex', targets, name };
  throw ScimError.invalidFilter(`unknown attribute '${name}'`);
}

/** `urn:…:enterprise:2.0:User:department` keeps its URN; core-schema URNs are dropped. */
function baseKey(path: AttrPath, schema: FilterSchema, name: string): string {
  const attribute = path.attribute.toLowerCase();
  if (path.uri === undefined) return attribute;
  const uri = path.uri.toLowerCase();
  // Core first, so listing the core URN among schemaUrns does not turn `userName` into `urn:…:username`.
  if (CORE_URI.test(uri)) return attribute;
  if (schema.schemaUrns.some((urn) => urn.toLowerCase() === uri)) return `${uri}:${attribute}`;
  throw ScimError.invalidFilter(`unknown attribute '${name}' (unknown schema '${path.uri}')`);
}

function findMulti(path: AttrPath, schema: FilterSchema): MultiValued | undefined {
  const name = formatAttributePath(path);
  return path.subAttribute === undefined ? lookup(schema.multiValued, baseKey(path, schema, name)) : undefined;
}

function elementTarget(path: AttrPath, scope: ElementScope): FilterTarget {
  if (path.uri !== undefined || path.subAttribute !== undefined || path.valueFilter !== undefined) {
    throw ScimError.invalidFilter(`'${formatAttributePath(path)}' is not a sub-attribute of '${scope.owner}'`);
  }
  return lookup(scope.variant.subAttributes, path.attribute) ?? absentTarget(scope.multi, path.attribute, scope.owner);
}

/** A sub-attribute some variants lack (say `primary` only on the work email) is absent in those. */
function absentTarget(multi: MultiValued, sub: string, owner: string): FilterTarget {
  for (const variant of multi.variants) {
    const target = lookup(variant.subAttributes, sub);
    if (target !== undefined) return { kind: 'constant', value: null, type: target.type, caseExact: target.caseExact };
  }
  throw ScimError.invalidFilter(`unknown attribute '${owner}.${sub}'`);
}

function lookup<T>(record: Record<string, T>, key: string): T | undefined {
  const lower = key.toLowerCase();
  if (Object.prototype.hasOwnProperty.call(record, lower)) return record[lower];
  const found = Object.keys(record).find((candidate) => candidate.toLowerCase() === lower);
  return found !== undefined ? record[found] : undefined;
}

function anyVariant(multi: MultiValued, build: (variant: MultiValuedVariant) => Cond): Cond {
  return multi.variants
    .map((variant) => {
      const element = and([`(${variant.presentSql})`], build(variant));
      if (variant.rowsSql === undefined || element === false) return element;
      return ['EXISTS (SELECT 1 ', variant.rowsSql, ...(element === true ? [] : [' AND ', ...element]), ')'];
    })
    .reduce(or, false);
}

function present(target: FilterTarget): Cond {
  if (target.kind === 'constant') return !isAbsent(target.value);
  const col = column(target);
  return isText(target) ? [`(${col} IS NOT NULL AND ${col} <> '')`] : [`${col} IS NOT NULL`];
}

function compare(target: FilterTarget, op: CompareOp, raw: FilterValue, name: string): Cond {
  const coerced = coerceFilterValue(target.type, op, raw, name);
  const value = target.kind === 'column' && target.trimmed && (op === 'eq' || op === 'ne') && typeof coerced === 'string' ? coerced.trim() : coerced;
  if (target.kind === 'constant') return compareScalar(target.value, op, value, target.type, target.caseExact);
  if (value === null) return op === 'eq' ? not(present(target)) : present(target);
  const col = column(target);
  const param = { param: value };
  if (target.type === 'dateTime') return [`${col} ${SQL_OPS[op]} `, param, '::timestamptz'];
  if (!isText(target)) return [`${col} ${SQL_OPS[op]} `, param];
  const pattern = { param: likePattern(op, String(value)) };
  if (target.caseExact) {
    return op === 'co' || op === 'sw' || op === 'ew' ? [`${col} LIKE `, pattern, ` ESCAPE '\\'`] : [`${col} ${SQL_OPS[op]} `, param];
  }
  if (op === 'co' || op === 'sw' || op === 'ew') return [`lower(${col}) LIKE lower(`, pattern, `) ESCAPE '\\'`];
  return [`lower(${col}) ${SQL_OPS[op]} lower(`, param, ')'];
}

// `ne` is NULL-safe so that `title ne "x"` also finds users without a title, as in memory.
const SQL_OPS: Record<CompareOp, string> = { eq: '=', ne: 'IS DISTINCT FROM', gt: '>', ge: '>=', lt: '<', le: '<=', co: 'LIKE', sw: 'LIKE', ew: 'LIKE' };

function likePattern(op: CompareOp, value: string): string {
  const escaped = value.replace(/[\\%_]/g, (char) => `\\${char}`);
  return op === 'co' ? `%${escaped}%` : op === 'sw' ? `${escaped}%` : op === 'ew' ? `%${escaped}` : value;
}

function isText(target: FilterTarget): boolean {
  return target.type === 'string' || target.type === 'reference';
}

function column(target: Extract<FilterTarget, { kind: 'column' }>): string {
  return PLAIN_COLUMN.test(target.sql) ? target.sql : `(${target.sql})`;
}

function and(left: Cond, right: Cond): Cond {
  if (left === false || right === false) return false;
  if (left === true) return right;
  if (right === true) return left;
  return ['(', ...left, ' AND ', ...right, ')'];
}

function or(left: Cond, right: Cond): Cond {
  if (left === true || right === true) return true;
  if (left === false) return right;
  if (right === false) return left;
  return ['(', ...left, ' OR ', ...right, ')'];
}

/** SQL comparisons with NULL yield NULL; SCIM's `not` must treat "no value" as false, not unknown. */
function not(inner: Cond): Cond {
  return typeof inner === 'boolean' ? !inner : ['NOT COALESCE(', ...inner, ', FALSE)'];
}

function render(cond: Cond, firstParam: number): CompiledSql {
  if (typeof cond === 'boolean') return { sql: cond ? 'TRUE' : 'FALSE', params: [] };
  const params: unknown[] = [];
  const sql = cond
    .map((piece) => {
      if (typeof piece === 'string') return piece;
      params.push(piece.param);
      return `$${firstParam + params.length - 1}`;
    })
    .join('');
  return { sql, params };
}
