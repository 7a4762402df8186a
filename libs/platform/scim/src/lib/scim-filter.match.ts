import type { AttrPath, FilterNode, FilterValue } from './scim-filter.types';
import type { ScimAttribute, ScimAttributeType } from './scim-schema.types';
import { coerceFilterValue, compareScalar, findKey, isAbsent, isPlainObject } from './scim-values';
import { formatAttributePath } from './scim-filter.format';

const CORE_URI = /^urn:ietf:params:scim:schemas:core:/i;

/**
 * Evaluates a filter against one in-memory object (a multi-valued element such as an email, or a
 * whole resource) with the SQL compiler's semantics: case-insensitive unless the attribute is
 * caseExact, booleans sent as strings coerced, multi-valued attributes match if any value does.
 * `attributes` describes the object's keys; keys it does not describe are typed by their value.
 */
export function matchesFilter(element: unknown, filter: FilterNode, attributes: readonly ScimAttribute[] = []): boolean {
  switch (filter.kind) {
    case 'and':
      return matchesFilter(element, filter.left, attributes) && matchesFilter(element, filter.right, attributes);
    case 'or':
      return matchesFilter(element, filter.left, attributes) || matchesFilter(element, filter.right, attributes);
    case 'not':
      return !matchesFilter(element, filter.filter, attributes);
    case 'present':
      return select(element, filter.path, attributes, false).values.some(hasValue);
    case 'valuePath': {
      const { values, def } = select(element, filter.path, attributes, false);
      return values.some((item) => matchesFilter(item, filter.filter, def?.subAttributes ?? []));
    }
    case 'compare': {
      // `x eq null` is "x has no value" even for multi-valued x, as in the SQL compiler.
      if (filter.value === null && (filter.op === 'eq' || filter.op === 'ne')) {
        const present = matchesFilter(element, { kind: 'present', path: filter.path }, attributes);
        return filter.op === 'eq' ? !present : present;
      }
      const { values, def } = select(element, filter.path, attributes, true);
      const type = def?.type ?? inferType(values);
      const expected = coerceExpected(type, filter, def !== undefined);
      if (expected === undefined) return false;
      const caseExact = def?.caseExact ?? false;
      return values.some((value) => compareScalar(value, filter.op, expected.value, type, caseExact));
    }
  }
}

function coerceExpected(type: ScimAttributeType, node: Extract<FilterNode, { kind: 'compare' }>, typeKnown: boolean): { value: FilterValue } | undefined {
  try {
    return { value: coerceFilterValue(type, node.op, node.value, formatAttributePath(node.path)) };
  } catch (error) {
    // With a schema the mistake is the client's (400); with a guessed type it is simply no match.
    if (typeKnown) throw error;
    return undefined;
  }
}

/**
 * The values a path reaches. A missing single value is `[undefined]` (so `ne` matches it, like SQL
 * IS DISTINCT FROM); a multi-valued attribute contributes one value per element, `undefined` for
 * an element without the sub-attribute, and nothing at all when it has no elements.
 */
interface Selection {
  values: unknown[];
  def?: ScimAttribute;
}

function select(target: unknown, path: AttrPath, attributes: readonly ScimAttribute[], defaultSub: boolean): Selection {
  if (!isPlainObject(target)) {
    // A simple multi-valued element (a string in a list) is addressed as `value`.
    const simple = target !== undefined && target !== null && path.attribute.toLowerCase() === 'value' && path.uri === undefined;
    return { values: [simple ? target : undefined] };
  }
  let container: Record<string, unknown> = target;
  let defs = attributes;
  if (path.uri !== undefined) {
    const key = findKey(target, path.uri);
    const nested = key !== undefined ? target[key] : undefined;
    if (isPlainObject(nested)) {
      container = nested;
      defs = [];
    } else if (!CORE_URI.test(path.uri)) {
      return { values: [undefined] };
    }
  }
  const key = findKey(container, path.attribute);
  let def = findDef(defs, path.attribute);
  const raw = key === undefined ? undefined : container[key];
  const multi = def?.multiValued === true || Array.isArray(raw);
  let values: unknown[] = !multi ? [raw] : Array.isArray(raw) ? raw : raw === undefined || raw === null ? [] : [raw];
  if (path.valueFilter !== undefined) {
    const filter = path.valueFilter;
    values = values.filter((item) => isPlainObject(item) && matchesFilter(item, filter, def?.subAttributes ?? []));
  }
  const complex = def?.type === 'complex' || values.some(isPlainObject);
  // `emails eq "x"` means `emails.value eq "x"` (RFC 7644 §3.4.2.2).
  const sub = path.subAttribute ?? (defaultSub && complex ? 'value' : undefined);
  if (sub === undefined) return def !== undefined ? { values, def } : { values };
  def = findDef(def?.subAttributes ?? [], sub);
  values = values.flatMap((item) => {
    const subKey = isPlainObject(item) ? findKey(item, sub) : undefined;
    return subKey === undefined ? [undefined] : toArray((item as Record<string, unknown>)[subKey]);
  });
  return def !== undefined ? { values, def } : { values };
}

function findDef(defs: readonly ScimAttribute[], name: string): ScimAttribute | undefined {
  const lower = name.toLowerCase();
  return defs.find((def) => def.name.toLowerCase() === lower);
}

function toArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [value];
}

function hasValue(value: unknown): boolean {
  if (isPlainObject(value)) return Object.values(value).some(hasValue);
  return !isAbsent(value);
}

function inferType(values: unknown[]): ScimAttributeType {
  const sample = values.find((value) => !isAbsent(value));
  return typeof sample === 'boolean' ? 'boolean' : typeof sample === 'number' ? 'decimal' : 'string';
}
