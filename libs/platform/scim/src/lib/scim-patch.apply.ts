import { ScimError } from './scim-errors';
import { formatAttributePath, formatFilter } from './scim-filter.format';
import { matchesFilter } from './scim-filter.match';
import type { FilterNode } from './scim-filter.types';
import type { NormalizedPatchOp } from './scim-patch.normalize';
import { findAttribute, findExtension, resolvePath } from './scim-schema.resolve';
import type { ScimAttribute, ScimResourceType } from './scim-schema.types';
import { coerceBoolean, coerceFilterValue, deepEqual, findKey, isAbsent, isPlainObject } from './scim-values';

type Json = Record<string, unknown>;

/**
 * Applies normalized operations in order to a deep copy and returns it. All-or-nothing: the first
 * failing operation throws a ScimError and the input is never touched (RFC 7644 §3.5.2). Core
 * attributes are top-level keys; extension attributes live under the extension URN key. Operations
 * flagged `known: false` are skipped (see NormalizedPatchOp).
 */
export function applyPatch(resource: Json, ops: readonly NormalizedPatchOp[], resourceType: ScimResourceType): Json {
  const result = structuredClone(resource);
  for (const op of ops) if (op.known) applyOne(result, op, resourceType);
  return result;
}

function applyOne(resource: Json, op: NormalizedPatchOp, resourceType: ScimResourceType): void {
  const resolved = resolvePath(resourceType, op.path);
  if (!resolved.known) return;
  if (resolved.wholeExtension !== undefined) {
    // Objects were expanded attribute by attribute in normalizePatch; what is left is a clear.
    if (op.op === 'remove' || isClear(op.value)) removeExtension(resource, resolved.wholeExtension.id);
    return;
  }
  const attribute = resolved.attribute as ScimAttribute;
  const urn = resolved.extension;
  const container = urn !== undefined ? extensionObject(resource, resourceType, urn, op.op !== 'remove') : resource;
  if (container === undefined) return;
  canonicalKey(container, attribute.name);
  const before = structuredClone(container[attribute.name]);
  const target: Target = { container, attribute, name: formatAttributePath(resolved.path) };
  const { valueFilter, subAttribute } = resolved.path;
  if (valueFilter !== undefined) applyFiltered(target, op, valueFilter, resolved.subAttribute?.name);
  else if (subAttribute !== undefined) applySub(target, op, subAttribute);
  else applyWhole(target, op);
  checkMutability(attribute, before, container[attribute.name], target.name);
  if (urn !== undefined && Object.keys(container).length === 0) removeExtension(resource, urn);
}

interface Target {
  container: Json;
  attribute: ScimAttribute;
  name: string;
}

function applyWhole({ container, attribute }: Target, op: NormalizedPatchOp): void {
  const key = attribute.name;
  if (op.op === 'remove') {
    // Entra's default dialect removes one member as `Remove members` + `[{value}]`: only those go,
    // and an empty list lists nothing (it never means "all": the well-known emptied-group bug).
    if (attribute.multiValued && (Array.isArray(op.value) || (op.value !== undefined && !isClear(op.value)))) {
      const listed = list(op.value);
      setList(container, key, list(container[key]).filter((item) => !listed.some((entry) => sameElement(item, entry, attribute))));
    } else {
      delete container[key];
    }
    return;
  }
  if (isClear(op.value)) {
    // Logic App "null update": setting "" or null empties the attribute.
    if (op.op === 'replace' || !attribute.multiValued) delete container[key];
    return;
  }
  if (!attribute.multiValued) {
    container[key] = attribute.type === 'complex' && isPlainObject(op.value) ? merge(container[key], op.value) : op.value;
    return;
  }
  const items = list(op.value)
    .map(clean)
    .filter((item) => (isPlainObject(item) ? keepElement(item, attribute) : !isClear(item)));
  const current = op.op === 'replace' ? [] : list(container[key]);
  for (const item of items) {
    const existing = current.find((candidate) => sameElement(candidate, item, attribute));
    if (existing === undefined) current.push(item);
    else if (isPlainObject(existing) && isPlainObject(item)) Object.assign(existing, item);
    if (isPrimary(item)) onlyPrimary(current, existing ?? item);
  }
  setList(container, key, current);
}

/** `name.givenName`, or `emails.value` (every element). */
function applySub({ container, attribute }: Target, op: NormalizedPatchOp, sub: string): void {
  const key = attribute.name;
  const clear = op.op === 'remove' || isClear(op.value);
  if (!attribute.multiValued) {
    const object = isPlainObject(container[key]) ? (container[key] as Json) : {};
    setSub(object, sub, clear ? undefined : op.value);
    if (Object.keys(object).length > 0) container[key] = object;
    else delete container[key];
    return;
  }
  const elements = list(container[key]).filter(isPlainObject);
  if (elements.length === 0 && !clear) elements.push({});
  for (const element of elements) setSub(element, sub, clear ? undefined : op.value);
  setList(container, key, elements.filter((element) => keepElement(element, attribute)));
}

function applyFiltered({ container, attribute, name }: Target, op: NormalizedPatchOp, filter: FilterNode, sub: string | undefined): void {
  const key = attribute.name;
  const elements = attribute.multiValued ? list(container[key]) : isPlainObject(container[key]) ? [container[key]] : [];
  const matching = elements.filter((element) => matchesFilter(element, filter, attribute.subAttributes));
  const clear = op.op === 'remove' || isClear(op.value);
  let result = elements;
  if (op.op === 'remove' && sub === undefined) {
    result = elements.filter((element) => !matching.includes(element));
  } else if (matching.length === 0) {
    if (clear) return;
    // Entra adds `emails[type eq "work"].value` to a user without a work email: create the element
    // the filter describes, when the filter pins it down (`eq`, possibly joined with `and`).
    const template = templateFrom(filter, attribute.subAttributes ?? []);
    if (template === undefined || (!attribute.multiValued && elements.length > 0)) {
      throw ScimError.noTarget(`no value of '${name}' matches [${formatFilter(filter)}]`);
    }
    const created = sub !== undefined ? { ...template, [sub]: op.value } : { ...template, ...(op.value as Json) };
    result = [...elements, clean(created)];
    if (isPrimary(created)) onlyPrimary(result, result[result.length - 1]);
  } else {
    for (const element of matching.filter(isPlainObject)) {
      if (sub !== undefined) setSub(element, sub, clear ? undefined : op.value);
      else if (isPlainObject(op.value)) Object.assign(element, merge(element, op.value));
      if (isPrimary(element)) onlyPrimary(elements, element);
    }
    result = clear && sub === undefined ? elements.filter((element) => !matching.includes(element)) : elements;
    result = result.filter((element) => !isPlainObject(element) || keepElement(element, attribute));
  }
  if (attribute.multiValued) setList(container, key, result);
  else if (result[0] !== undefined) container[key] = result[0];
  else delete container[key];
}

/** `type eq "work" and primary eq true` → `{type: 'work', primary: true}`; anything else cannot be created. */
function templateFrom(filter: FilterNode, subAttributes: readonly ScimAttribute[]): Json | undefined {
  if (filter.kind === 'and') {
    const left = templateFrom(filter.left, subAttributes);
    const right = templateFrom(filter.right, subAttributes);
    return left !== undefined && right !== undefined ? { ...left, ...right } : undefined;
  }
  if (filter.kind !== 'compare' || filter.op !== 'eq' || filter.value === null) return undefined;
  const { path } = filter;
  if (path.uri !== undefined || path.subAttribute !== undefined || path.valueFilter !== undefined) return undefined;
  const def = findAttribute(subAttributes, path.attribute);
  if (def === undefined) return { [path.attribute]: filter.value };
  return { [def.name]: coerceFilterValue(def.type, 'eq', filter.value, `${path.attribute}`) };
}

/** RFC 7643 §2.4: read-only never changes, immutable only from unset, required never goes away. */
function checkMutability(attribute: ScimAttribute, before: unknown, after: unknown, name: string): void {
  if (deepEqual(before, after)) return;
  if (attribute.mutability === 'readOnly') throw ScimError.mutability(`'${name}' is read-only`);
  if (attribute.mutability === 'immutable' && !isAbsent(before)) throw ScimError.mutability(`'${name}' is immutable once set`);
  if (attribute.required && isAbsent(after)) throw ScimError.mutability(`'${name}' is required and cannot be removed`);
}

/** Two elements are the same member/email when `value` (and `type`, if any) agree. */
function sameElement(existing: unknown, entry: unknown, attribute: ScimAttribute): boolean {
  if (!isPlainObject(existing)) return isPlainObject(entry) ? sameScalar(existing, entry.value, attribute) : sameScalar(existing, entry, attribute);
  if (!isPlainObject(entry)) return sameScalar(existing.value, entry, findAttribute(attribute.subAttributes, 'value'));
  if (entry.value === undefined || existing.value === undefined) return deepEqual(existing, clean(entry));
  const valueDef = findAttribute(attribute.subAttributes, 'value');
  return sameScalar(existing.value, entry.value, valueDef) && (entry.type === undefined || sameScalar(existing.type, entry.type, undefined));
}

function sameScalar(a: unknown, b: unknown, def: ScimAttribute | undefined): boolean {
  if (typeof a === 'string' && typeof b === 'string' && def?.caseExact !== true) return a.toLowerCase() === b.toLowerCase();
  return deepEqual(a, b);
}

/** An element whose `value` was cleared is gone (Logic App null update on `phoneNumbers[type eq "mobile"].value`). */
function keepElement(element: Json, attribute: ScimAttribute): boolean {
  if (Object.keys(element).length === 0) return false;
  return findAttribute(attribute.subAttributes, 'value') === undefined || findKey(element, 'value') !== undefined;
}

function setSub(object: Json, sub: string, value: unknown): void {
  canonicalKey(object, sub);
  const kept = stored(value);
  if (kept === undefined) delete object[sub];
  else object[sub] = kept;
}

function merge(current: unknown, patch: Json): Json {
  const result: Json = isPlainObject(current) ? { ...current } : {};
  for (const [key, value] of Object.entries(patch)) setSub(result, key, value);
  return result;
}

function isPrimary(item: unknown): boolean {
  return isPlainObject(item) && coerceBoolean(item.primary) === true;
}

/** RFC 7643 §2.4: at most one element may be primary; the newest choice wins. */
function onlyPrimary(items: unknown[], chosen: unknown): void {
  for (const item of items) if (item !== chosen && isPrimary(item)) (item as Json).primary = false;
}

function extensionObject(resource: Json, resourceType: ScimResourceType, urn: string, create: boolean): Json | undefined {
  const aliases = [urn, ...(findExtension(resourceType, urn)?.aliases ?? [])];
  for (const alias of aliases) {
    const key = findKey(resource, alias);
    if (key !== undefined && key !== urn) {
      resource[urn] = { ...(isPlainObject(resource[urn]) ? resource[urn] : {}), ...(resource[key] as Json) };
      delete resource[key];
    }
  }
  if (isPlainObject(resource[urn])) return resource[urn];
  if (!create) return undefined;
  resource[urn] = {};
  const schemas = resource.schemas;
  if (Array.isArray(schemas) && !schemas.some((schema) => typeof schema === 'string' && schema.toLowerCase() === urn.toLowerCase())) schemas.push(urn);
  return resource[urn] as Json;
}

function removeExtension(resource: Json, urn: string): void {
  const key = findKey(resource, urn);
  if (key !== undefined) delete resource[key];
  if (Array.isArray(resource.schemas)) resource.schemas = resource.schemas.filter((schema) => typeof schema !== 'string' || schema.toLowerCase() !== urn.toLowerCase());
}

/** Output keys use schema spelling even if the stored resource or the request used another case. */
function canonicalKey(object: Json, name: string): void {
  const key = findKey(object, name);
  if (key === undefined || key === name) return;
  object[name] = object[key];
  delete object[key];
}

function isClear(value: unknown): boolean {
  return value === null || value === '' || (Array.isArray(value) && value.length === 0);
}

/** Entra sends `"$ref": null` in member elements; empty values carry no information, so they are not stored. */
function clean(item: unknown): unknown {
  return isPlainObject(item) ? (stored(item) ?? {}) : item;
}

/**
 * A value as it is stored: nulls, empty strings and empty lists go at every depth, and so do the
 * objects and lists they leave empty (`{"display": {"value": ""}}` stores nothing). Undefined: nothing to store.
 */
function stored(value: unknown): unknown {
  if (Array.isArray(value)) {
    const items = value.map(stored).filter((item) => item !== undefined);
    return items.length > 0 ? items : undefined;
  }
  if (isPlainObject(value)) {
    const entries = Object.entries(value).flatMap(([key, item]) => {
      const kept = stored(item);
      return kept === undefined ? [] : [[key, kept] as const];
    });
    return entries.length > 0 ? Object.fromEntries(entries) : undefined;
  }
  return value === undefined || isClear(value) ? undefined : value;
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? [...value] : value === undefined || value === null ? [] : [value];
}

function setList(container: Json, key: string, items: unknown[]): void {
  if (items.length > 0) container[key] = items;
  else delete container[key];
}
