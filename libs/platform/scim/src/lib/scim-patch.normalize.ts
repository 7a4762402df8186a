import { ScimError } from './scim-errors';
import { formatAttributePath } from './scim-filter.format';
import { parseAttributePath } from './scim-filter.parser';
import type { AttrPath } from './scim-filter.types';
import { findAttribute, resolvePath, type ResolvedPath } from './scim-schema.resolve';
import type { ScimAttribute, ScimResourceType } from './scim-schema.types';
import { coerceBoolean, findKey, isPlainObject } from './scim-values';

export const PATCH_OP_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

export type PatchOpName = 'add' | 'replace' | 'remove';

/**
 * One PATCH operation in a single shape, whichever Entra/Okta dialect sent it. Path-less operations
 * are expanded into one operation per attribute, so `path` is always set. Paths the schema does not
 * know come back with `known: false` instead of failing the request: RFC 7644 lets a server ignore
 * attributes it does not support, and Entra keeps sending mapped attributes we may not store.
 * applyPatch skips them; a caller that wants strictness can reject them with ScimError.invalidPath.
 */
export interface NormalizedPatchOp {
  op: PatchOpName;
  path: AttrPath;
  value?: unknown;
  known: boolean;
}

/**
 * Operations in one PATCH. Azure AD and Okta send a few, or one per changed member; each operation is
 * applied to the resource in turn, so a body of tens of thousands would hold a request for minutes.
 */
export const MAX_PATCH_OPERATIONS = 1000;

/**
 * Validates a PatchOp body and rewrites every dialect into NormalizedPatchOp: ops in any case
 * (`Replace`), booleans as strings (`"False"`), path-less values keyed by dotted, URN-qualified or
 * extension-object paths, a bare string for a complex attribute (`manager: "id"`), a single element
 * where an array belongs.
 */
export function normalizePatch(body: unknown, resourceType: ScimResourceType): NormalizedPatchOp[] {
  if (!isPlainObject(body)) throw ScimError.invalidSyntax('PATCH body must be a JSON object');
  const schemas = property(body, 'schemas');
  const patchSchema = PATCH_OP_SCHEMA.toLowerCase();
  if (!Array.isArray(schemas) || !schemas.some((schema) => typeof schema === 'string' && schema.toLowerCase() === patchSchema)) {
    throw ScimError.invalidSyntax(`PATCH body 'schemas' must contain '${PATCH_OP_SCHEMA}'`);
  }
  const operations = property(body, 'Operations');
  if (!Array.isArray(operations)) throw ScimError.invalidSyntax("PATCH body must have an 'Operations' array");
  if (operations.length === 0) throw ScimError.invalidValue("PATCH 'Operations' must contain at least one operation");
  if (operations.length > MAX_PATCH_OPERATIONS) {
    throw ScimError.invalidValue(`PATCH 'Operations' holds ${operations.length} operations; at most ${MAX_PATCH_OPERATIONS} are taken in one request: send the rest in another`);
  }
  return operations.flatMap((operation: unknown, index) => normalizeOperation(operation, `Operations[${index}]`, resourceType));
}

function normalizeOperation(operation: unknown, where: string, resourceType: ScimResourceType): NormalizedPatchOp[] {
  if (!isPlainObject(operation)) throw ScimError.invalidSyntax(`${where} must be an object`);
  const rawOp = property(operation, 'op');
  const op = typeof rawOp === 'string' ? rawOp.trim().toLowerCase() : undefined;
  if (op !== 'add' && op !== 'replace' && op !== 'remove') throw ScimError.invalidSyntax(`${where}: unknown op ${JSON.stringify(rawOp)}; expected add, replace or remove`);
  const rawPath = property(operation, 'path');
  if (rawPath !== undefined && rawPath !== null && typeof rawPath !== 'string') throw ScimError.invalidPath(`${where}: path must be a string`);
  const valueKey = findKey(operation, 'value');
  const hasValue = valueKey !== undefined && operation[valueKey] !== undefined;
  const value = valueKey !== undefined ? operation[valueKey] : undefined;
  if (typeof rawPath === 'string' && rawPath.trim() !== '') {
    if (op !== 'remove' && !hasValue) throw ScimError.invalidValue(`${where}: ${op} requires a value`);
    return pathOperations(op, parseAttributePath(rawPath.trim()), value, hasValue, resourceType);
  }
  if (op === 'remove') throw ScimError.noTarget(`${where}: remove requires a path`);
  if (!isPlainObject(value)) throw ScimError.invalidValue(`${where}: ${op} without a path requires an object value`);
  return expandObject(op, value, resourceType);
}

/** Each key of a path-less value is itself a path: `name.givenName`, `urn:…:User:department`, `urn:…:User`. */
function expandObject(op: PatchOpName, value: Record<string, unknown>, resourceType: ScimResourceType): NormalizedPatchOp[] {
  return Object.entries(value).flatMap(([key, item]) => {
    // Clients echo the envelope back; it is the server's to maintain.
    if (key.toLowerCase() === 'schemas' || key.toLowerCase() === 'meta') return [];
    let path: AttrPath;
    try {
      path = parseAttributePath(key);
    } catch (error) {
      // A key that is not even a path names no attribute we have: flag it like any unknown one.
      if (error instanceof ScimError) return [{ op, path: { attribute: key }, value: item, known: false }];
      throw error;
    }
    return pathOperations(op, path, item, true, resourceType);
  });
}

function pathOperations(op: PatchOpName, path: AttrPath, value: unknown, hasValue: boolean, resourceType: ScimResourceType): NormalizedPatchOp[] {
  const resolved = resolvePath(resourceType, path);
  const withValue = (result: Omit<NormalizedPatchOp, 'value'>, item: unknown): NormalizedPatchOp => (hasValue ? { ...result, value: item } : result);
  if (!resolved.known) return [withValue({ op, path, known: false }, value)];
  if (resolved.wholeExtension !== undefined && op !== 'remove' && isPlainObject(value)) {
    const urn = resolved.wholeExtension.id;
    return Object.entries(value).flatMap(([key, item]) => pathOperations(op, parseAttributePath(`${urn}:${key}`), item, true, resourceType));
  }
  const coerced = hasValue ? coerceForPath(resolved, value) : undefined;
  const attribute = resolved.attribute;
  // A complex single-valued attribute merges sub-attribute by sub-attribute (RFC 7644 §3.5.2.3),
  // so `name: {givenName}` is the same request as `name.givenName`.
  if (op !== 'remove' && attribute?.type === 'complex' && !attribute.multiValued && resolved.path.subAttribute === undefined && resolved.path.valueFilter === undefined && isPlainObject(coerced)) {
    return Object.entries(coerced).flatMap(([key, item]) => pathOperations(op, { ...resolved.path, subAttribute: key }, item, true, resourceType));
  }
  return [withValue({ op, path: resolved.path, known: true }, coerced)];
}

function coerceForPath(resolved: ResolvedPath, value: unknown): unknown {
  const name = formatAttributePath(resolved.path);
  if (resolved.wholeExtension !== undefined) {
    if (value === null || value === '') return value;
    throw ScimError.invalidValue(`'${name}' takes an object of extension attributes`);
  }
  const attribute = resolved.attribute as ScimAttribute;
  if (resolved.subAttribute !== undefined) return coerceSingle(resolved.subAttribute, value, name);
  if (!attribute.multiValued || resolved.path.valueFilter !== undefined) return coerceSingle(attribute, value, name);
  if (value === null || value === '') return value;
  return (Array.isArray(value) ? value : [value]).map((item) => coerceSingle(attribute, item, name));
}

/** Brings one value to its attribute's type, or rejects it with invalidValue (RFC 7644 §3.5.2). */
export function coerceSingle(attribute: ScimAttribute, value: unknown, name: string): unknown {
  if (value === null || value === '') return value;
  switch (attribute.type) {
    case 'complex': {
      // The docs send manager as `[{"value": id}]`, third parties saw a bare `"id"`.
      const item = Array.isArray(value) && value.length === 1 ? value[0] : value;
      const object = typeof item === 'string' && findAttribute(attribute.subAttributes, 'value') ? { value: item } : item;
      if (!isPlainObject(object)) throw ScimError.invalidValue(`'${name}' must be an object`);
      return Object.fromEntries(
        Object.entries(object).map(([key, item]) => {
          const sub = findAttribute(attribute.subAttributes, key);
          return sub === undefined ? [key, item] : [sub.name, coerceSingle(sub, item, `${name}.${sub.name}`)];
        }),
      );
    }
    case 'boolean': {
      const bool = coerceBoolean(value);
      if (bool === undefined) throw ScimError.invalidValue(`'${name}' must be true or false, not ${JSON.stringify(value)}`);
      return bool;
    }
    case 'integer':
    case 'decimal': {
      const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
      if (typeof number !== 'number' || !Number.isFinite(number) || (attribute.type === 'integer' && !Number.isInteger(number))) {
        throw ScimError.invalidValue(`'${name}' must be ${attribute.type === 'integer' ? 'an integer' : 'a number'}, not ${JSON.stringify(value)}`);
      }
      return number;
    }
    default:
      // Strict, as on POST: a number where text belongs is a client bug, not something to guess at.
      if (typeof value === 'string') return value;
      throw ScimError.invalidValue(`'${name}' must be a string, not ${JSON.stringify(value)}`);
  }
}

function property(object: Record<string, unknown>, name: string): unknown {
  const key = findKey(object, name);
  return key === undefined ? undefined : object[key];
}
