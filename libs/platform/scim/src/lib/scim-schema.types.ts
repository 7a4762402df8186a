/**
 * One description of a SCIM resource type (RFC 7643 §7) drives everything: the /Schemas
 * document, filter compilation, PATCH coercion and `attributes`/`excludedAttributes`.
 */
export type ScimAttributeType = 'string' | 'boolean' | 'decimal' | 'integer' | 'dateTime' | 'reference' | 'complex';

export interface ScimAttribute {
  name: string;
  type: ScimAttributeType;
  multiValued: boolean;
  description: string;
  required: boolean;
  caseExact: boolean;
  mutability: 'readOnly' | 'readWrite' | 'immutable' | 'writeOnly';
  returned: 'always' | 'never' | 'default' | 'request';
  uniqueness: 'none' | 'server' | 'global';
  canonicalValues?: readonly string[];
  referenceTypes?: readonly string[];
  subAttributes?: readonly ScimAttribute[];
}

export interface ScimSchema {
  /** The schema URN, e.g. urn:ietf:params:scim:schemas:core:2.0:User. */
  id: string;
  name: string;
  description: string;
  attributes: readonly ScimAttribute[];
}

export interface ScimResourceType {
  id: string;
  name: string;
  endpoint: string;
  description: string;
  schema: ScimSchema;
  extensions: readonly { schema: ScimSchema; required: boolean; aliases?: readonly string[] }[];
}

/**
 * How a filter attribute maps to SQL. A single-valued attribute is a SQL expression; a multi-valued
 * complex attribute is a set of variants (virtual elements), each present under a condition and
 * with its sub-attributes as SQL expressions or constants.
 */
export type FilterTarget =
  | {
      kind: 'column';
      sql: string;
      type: ScimAttributeType;
      caseExact: boolean;
      /**
       * Stored without surrounding whitespace (a name the domain trims): `eq` and `ne` compare the
       * trimmed value, so that a client looking up the value it sent finds what it created.
       */
      trimmed?: boolean;
    }
  | { kind: 'constant'; value: string | number | boolean | null; type: ScimAttributeType; caseExact: boolean };

export interface MultiValuedVariant {
  /** SQL that is true when this element exists (e.g. `email_work IS NOT NULL`). */
  presentSql: string;
  /**
   * For elements that are rows of another table (a group's members): `FROM … WHERE <correlation to
   * the resource>`. A condition on one element then asks whether such a row exists, and the
   * sub-attributes are that row's columns.
   */
  rowsSql?: string;
  subAttributes: Record<string, FilterTarget>;
}

export interface FilterSchema {
  /** Keys are lower-case attribute paths: `username`, `name.givenname`, `urn:...:user:department`. */
  attributes: Record<string, FilterTarget>;
  /** Keys are lower-case multi-valued attribute names: `emails`, `phonenumbers`. */
  multiValued: Record<string, { variants: readonly MultiValuedVariant[]; defaultSubAttribute: string }>;
  /** Extension schema URNs (lower-case) whose attributes may be written `urn:...:attr`. */
  schemaUrns: readonly string[];
}
