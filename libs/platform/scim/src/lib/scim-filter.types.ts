/** The AST of RFC 7644 §3.4.2.2 filters and of PATCH / sortBy / attributes paths. */

export type CompareOp = 'eq' | 'ne' | 'co' | 'sw' | 'ew' | 'gt' | 'ge' | 'lt' | 'le';

export const COMPARE_OPS: readonly CompareOp[] = ['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le'];

export type FilterValue = string | number | boolean | null;

/**
 * `[uri:]attribute[[valueFilter]][.subAttribute]`. Names keep the spelling of the input; matching
 * against a schema is case-insensitive and happens later, so the parser needs no schema.
 */
export interface AttrPath {
  /** Schema URN prefix, e.g. `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User`. */
  uri?: string;
  attribute: string;
  /** `emails[type eq "work"]` in a PATCH path, or in Entra's `emails[type eq "work"].value eq "x"`. */
  valueFilter?: FilterNode;
  subAttribute?: string;
}

export type FilterNode =
  | { kind: 'compare'; path: AttrPath; op: CompareOp; value: FilterValue }
  | { kind: 'present'; path: AttrPath }
  | { kind: 'and' | 'or'; left: FilterNode; right: FilterNode }
  | { kind: 'not'; filter: FilterNode }
  /** `emails[type eq "work" and value co "@x"]`: paths inside `filter` name sub-attributes. */
  | { kind: 'valuePath'; path: AttrPath; filter: FilterNode };
