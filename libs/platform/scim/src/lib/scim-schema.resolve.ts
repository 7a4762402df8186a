import type { AttrPath, FilterNode } from './scim-filter.types';
import type { ScimAttribute, ScimResourceType, ScimSchema } from './scim-schema.types';

/**
 * Where a path lands in a resource: a core attribute (top-level key), an extension attribute (key
 * under the extension URN), or a whole extension object. Names come back in schema spelling.
 */
export interface ResolvedPath {
  known: boolean;
  /** Canonical path: schema spelling, extension aliases replaced by the extension's own URN. */
  path: AttrPath;
  /** Set when the attribute lives under an extension: the canonical extension URN. */
  extension?: string;
  /** The extension's schema, when the path names a whole extension (`urn:…:enterprise:2.0:User`). */
  wholeExtension?: ScimSchema;
  attribute?: ScimAttribute;
  subAttribute?: ScimAttribute;
}

const common = (name: string, mutability: ScimAttribute['mutability'], returned: ScimAttribute['returned'], caseExact: boolean): ScimAttribute => ({
  name,
  type: 'string',
  multiValued: false,
  description: '',
  required: false,
  caseExact,
  mutability,
  returned,
  uniqueness: name === 'id' ? 'server' : 'none',
});

/**
 * RFC 7643 §3.1 common attributes belong to no schema, yet PATCH may name them (the validator
 * removes, adds and replaces externalId). Used when the resource's core schema does not list them.
 */
export const COMMON_ATTRIBUTES: readonly ScimAttribute[] = [
  common('id', 'readOnly', 'always', true),
  common('externalId', 'readWrite', 'default', true),
  { ...common('meta', 'readOnly', 'default', false), type: 'complex', subAttributes: [] },
];

export function findExtension(resourceType: ScimResourceType, urn: string): ScimResourceType['extensions'][number] | undefined {
  const lower = urn.toLowerCase();
  return resourceType.extensions.find(
    (extension) => extension.schema.id.toLowerCase() === lower || (extension.aliases ?? []).some((alias) => alias.toLowerCase() === lower),
  );
}

export function findAttribute(attributes: readonly ScimAttribute[] | undefined, name: string): ScimAttribute | undefined {
  const lower = name.toLowerCase();
  return attributes?.find((attribute) => attribute.name.toLowerCase() === lower);
}

export function resolvePath(resourceType: ScimResourceType, path: AttrPath): ResolvedPath {
  const unknown: ResolvedPath = { known: false, path };
  let attributes = resourceType.schema.attributes;
  let extension: string | undefined;
  if (path.uri !== undefined) {
    const whole = findExtension(resourceType, `${path.uri}:${path.attribute}`);
    if (whole !== undefined) {
      if (path.subAttribute !== undefined || path.valueFilter !== undefined) return unknown;
      return { known: true, path: splitUrn(whole.schema.id), wholeExtension: whole.schema };
    }
    const owner = findExtension(resourceType, path.uri);
    if (owner !== undefined) {
      attributes = owner.schema.attributes;
      extension = owner.schema.id;
    } else if (path.uri.toLowerCase() !== resourceType.schema.id.toLowerCase()) {
      return unknown;
    }
  }
  const attribute = findAttribute(attributes, path.attribute) ?? (extension === undefined ? findAttribute(COMMON_ATTRIBUTES, path.attribute) : undefined);
  if (attribute === undefined) return unknown;
  const canonical: AttrPath = { attribute: attribute.name };
  if (extension !== undefined) canonical.uri = extension;
  if (path.valueFilter !== undefined) {
    // Single complex attributes take filters too: Entra removes `manager[value eq "…"]`.
    if (!attribute.multiValued && attribute.type !== 'complex') return unknown;
    canonical.valueFilter = canonicalFilter(path.valueFilter, attribute.subAttributes ?? []);
  }
  let subAttribute: ScimAttribute | undefined;
  if (path.subAttribute !== undefined) {
    subAttribute = findAttribute(attribute.subAttributes, path.subAttribute);
    if (subAttribute === undefined) return unknown;
    canonical.subAttribute = subAttribute.name;
  }
  const resolved: ResolvedPath = { known: true, path: canonical, attribute };
  if (extension !== undefined) resolved.extension = extension;
  if (subAttribute !== undefined) resolved.subAttribute = subAttribute;
  return resolved;
}

/** A whole-extension URN parses as `uri:attribute` (the last segment); keep that split canonical. */
function splitUrn(urn: string): AttrPath {
  const colon = urn.lastIndexOf(':');
  return { uri: urn.slice(0, colon), attribute: urn.slice(colon + 1) };
}

/** Rewrites names inside a value filter to schema spelling; unknown names are left as written. */
function canonicalFilter(node: FilterNode, subAttributes: readonly ScimAttribute[]): FilterNode {
  switch (node.kind) {
    case 'and':
    case 'or':
      return { kind: node.kind, left: canonicalFilter(node.left, subAttributes), right: canonicalFilter(node.right, subAttributes) };
    case 'not':
      return { kind: 'not', filter: canonicalFilter(node.filter, subAttributes) };
    case 'valuePath':
      return node;
    case 'present':
    case 'compare': {
      const def = node.path.uri === undefined ? findAttribute(subAttributes, node.path.attribute) : undefined;
      return def !== undefined ? { ...node, path: { ...node.path, attribute: def.name } } : node;
    }
  }
}
