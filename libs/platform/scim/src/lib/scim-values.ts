import { ScimError } from './scim-errors';
import type { CompareOp, FilterValue } from './scim-filter.types';
import type { ScimAttributeType } from './scim-schema.types';

/**
 * One definition of comparison semantics, shared by the SQL compiler (for constants) and the
 * in-memory matcher (PATCH value filters), so a filter means the same thing in both places.
 */

/** Entra sends `"True"`/`"False"` for booleans (active, primary) by default; accept any case. */
export function coerceBoolean(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (typeof value !== 'string') return undefined;
  const lower = value.trim().toLowerCase();
  return lower === 'true' ? true : lower === 'false' ? false : undefined;
}

/** SCIM treats null, a missing key and an empty string alike: "no value". */
export function isAbsent(value: unknown): boolean {
  return value === undefined || value === null || value === '' || (Array.isArray(value) && value.length === 0);
}

const SUBSTRING: readonly CompareOp[] = ['co', 'sw', 'ew'];

/** What PostgreSQL's timestamptz takes and Date.parse agrees with; Date.parse alone also takes "2011" or "Jan 1". */
const RFC3339_DATE_TIME = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$/;

/** Checks the operator suits the attribute type and brings the filter value to that type. */
export function coerceFilterValue(type: ScimAttributeType, op: CompareOp, value: FilterValue, name: string): FilterValue {
  if (type === 'complex') throw ScimError.invalidFilter(`'${name}' is complex; compare one of its sub-attributes`);
  if (value === null) {
    if (op === 'eq' || op === 'ne') return null;
    throw ScimError.invalidFilter(`'${op}' cannot compare '${name}' with null`);
  }
  switch (type) {
    case 'boolean': {
      if (op !== 'eq' && op !== 'ne') throw ScimError.invalidFilter(`'${op}' is not allowed on boolean attribute '${name}'`);
      const bool = coerceBoolean(value);
      if (bool === undefined) throw ScimError.invalidFilter(`'${name}' is boolean; ${JSON.stringify(value)} is not true or false`);
      return bool;
    }
    case 'integer':
    case 'decimal': {
      if (SUBSTRING.includes(op)) throw ScimError.invalidFilter(`'${op}' is not allowed on numeric attribute '${name}'`);
      const number = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
      if (!Number.isFinite(number)) throw ScimError.invalidFilter(`'${name}' is numeric; ${JSON.stringify(value)} is not a number`);
      return number;
    }
    case 'dateTime': {
      if (SUBSTRING.includes(op)) throw ScimError.invalidFilter(`'${op}' is not allowed on dateTime attribute '${name}'`);
      // Checked here so a bad date is a 400, not a PostgreSQL cast error surfacing as a 500.
      if (typeof value !== 'string' || !RFC3339_DATE_TIME.test(value) || !isCalendarDate(value)) {
        throw ScimError.invalidFilter(`'${name}' is a dateTime; ${JSON.stringify(value)} is not an RFC 3339 date`);
      }
      // RFC 3339 allows offsets to ±23:59, PostgreSQL to ±15:59; no place on Earth uses more than 14 hours.
      if (Number(/[+-](\d{2}):\d{2}$/.exec(value)?.[1] ?? 0) > 15) {
        throw ScimError.invalidFilter(`'${name}': ${JSON.stringify(value)} has a UTC offset beyond ±15:59; give the time in UTC (Z)`);
      }
      return value;
    }
    default:
      return typeof value === 'string' ? value : String(value);
  }
}

/** Whether the date part names a day that exists (Date.parse takes 2026-02-30 and year 0; PostgreSQL refuses both). */
function isCalendarDate(value: string): boolean {
  const [year, month, day] = value.slice(0, 10).split('-').map(Number);
  const date = new Date(Date.UTC(year, month - 1, day));
  return year >= 1 && !Number.isNaN(Date.parse(value)) && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/**
 * Compares one stored value with a filter value already passed through coerceFilterValue, the way
 * the SQL compiler's output does: `eq null` means "no value" (null, missing or ""), a missing value
 * matches nothing but `ne` (SQL IS DISTINCT FROM), and "" otherwise compares as a string.
 */
export function compareScalar(actual: unknown, op: CompareOp, expected: FilterValue, type: ScimAttributeType, caseExact: boolean): boolean {
  if (expected === null) {
    const absent = isAbsent(actual);
    return op === 'eq' ? absent : op === 'ne' ? !absent : false;
  }
  if (actual === undefined || actual === null) return op === 'ne';
  let a: string | number | boolean | undefined;
  let b: string | number | boolean = expected;
  switch (type) {
    case 'boolean':
      a = coerceBoolean(actual);
      break;
    case 'integer':
    case 'decimal':
      a = typeof actual === 'number' ? actual : typeof actual === 'string' && actual.trim() !== '' ? Number(actual) : undefined;
      break;
    case 'dateTime':
      a = typeof actual === 'string' ? Date.parse(actual) : undefined;
      b = Date.parse(String(expected));
      break;
    default:
      a = typeof actual === 'object' ? undefined : String(actual);
      if (!caseExact && typeof a === 'string') {
        a = a.toLowerCase();
        b = String(b).toLowerCase();
      }
  }
  if (a === undefined || (typeof a === 'number' && Number.isNaN(a))) return op === 'ne';
  switch (op) {
    case 'eq':
      return a === b;
    case 'ne':
      return a !== b;
    case 'co':
      return String(a).includes(String(b));
    case 'sw':
      return String(a).startsWith(String(b));
    case 'ew':
      return String(a).endsWith(String(b));
    case 'gt':
      return a > b;
    case 'ge':
      return a >= b;
    case 'lt':
      return a < b;
    case 'le':
      return a <= b;
  }
}

/** Case-insensitive own-key lookup: SCIM attribute names are case-insensitive (RFC 7643 §2.1). */
export function findKey(object: Record<string, unknown>, name: string): string | undefined {
  if (Object.prototype.hasOwnProperty.call(object, name)) return name;
  const lower = name.toLowerCase();
  return Object.keys(object).find((key) => key.toLowerCase() === lower);
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Structural equality for JSON values; used for "unchanged" checks and duplicate elements. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((item, index) => deepEqual(item, b[index]));
  }
  if (!isPlainObject(a) || !isPlainObject(b)) return false;
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => Object.prototype.hasOwnProperty.call(b, key) && deepEqual(a[key], b[key]));
}
