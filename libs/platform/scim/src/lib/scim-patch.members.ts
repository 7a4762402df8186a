import { ScimError } from './scim-errors';
import { formatFilter } from './scim-filter.format';
import type { FilterNode } from './scim-filter.types';
import type { NormalizedPatchOp } from './scim-patch.normalize';
import { isPlainObject } from './scim-values';

/**
 * The net effect of a Group PATCH on membership, computed without loading the member list:
 *
 *     final = replace ?? ((removeAll ? ∅ : current) − remove ∪ add)
 *
 * `add` and `remove` are disjoint; a later operation wins over an earlier one on the same id
 * (Microsoft's validator adds then removes a member in one request and expects it gone).
 */
export interface MemberChanges {
  add: string[];
  remove: string[];
  /** The current members are dropped (a bare `remove members`, or a `replace members`). */
  removeAll: boolean;
  /** Set when a `replace members` occurred: the whole membership after the request. */
  replace?: string[];
}

/**
 * Handles `add members [..]`, `replace members [..]` (the validator adds this way), `remove members`
 * with a value array (Entra default), `remove members[value eq "id"]` (Entra with aadOptscim062020),
 * and a bare `remove members`. Operations on other attributes are ignored.
 */
export function memberChanges(ops: readonly NormalizedPatchOp[]): MemberChanges {
  const add = new Set<string>();
  const remove = new Set<string>();
  let removeAll = false;
  let replace: Set<string> | undefined;
  for (const op of ops) {
    if (!op.known || op.path.uri !== undefined || op.path.attribute.toLowerCase() !== 'members') continue;
    if (op.path.subAttribute !== undefined) throw ScimError.invalidPath(`cannot ${op.op} a sub-attribute of members`);
    if (op.path.valueFilter !== undefined && op.op !== 'remove') throw ScimError.invalidPath(`${op.op} cannot take a members filter`);
    const ids = op.path.valueFilter !== undefined ? idsFromFilter(op.path.valueFilter) : idsFromValue(op.value);
    if (op.op === 'replace' || (op.op === 'remove' && ids === undefined)) {
      removeAll = true;
      replace = op.op === 'replace' ? new Set(ids) : undefined;
      add.clear();
      remove.clear();
      continue;
    }
    for (const id of ids ?? []) {
      if (op.op === 'add') {
        if (replace !== undefined) replace.add(id);
        else add.add(id);
        remove.delete(id);
      } else {
        replace?.delete(id);
        add.delete(id);
        if (!removeAll) remove.add(id);
      }
    }
  }
  const changes: MemberChanges = { add: replace !== undefined ? [] : [...add], remove: [...remove], removeAll };
  if (replace !== undefined) changes.replace = [...replace];
  return changes;
}

/** `undefined` means "no list given", which for remove is "all members"; an empty list lists no one. */
function idsFromValue(value: unknown): string[] | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  return (Array.isArray(value) ? value : [value]).map((item) => {
    const id = isPlainObject(item) ? item.value : item;
    if (typeof id !== 'string' || id === '') throw ScimError.invalidValue(`each member needs a string 'value', got ${JSON.stringify(item)}`);
    return id;
  });
}

function idsFromFilter(filter: FilterNode): string[] {
  if (filter.kind === 'or') return [...idsFromFilter(filter.left), ...idsFromFilter(filter.right)];
  if (filter.kind === 'compare' && filter.op === 'eq' && filter.path.attribute.toLowerCase() === 'value' && filter.path.subAttribute === undefined && typeof filter.value === 'string') {
    return [filter.value];
  }
  throw ScimError.invalidPath(`members filter must be 'value eq "<id>"' (or several joined with 'or'), got '${formatFilter(filter)}'`);
}
