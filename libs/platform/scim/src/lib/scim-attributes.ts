import { ScimError } from './scim-errors';
import { matchesFilter } from './scim-filter.match';
import { parseAttributePath } from './scim-filter.parser';
import type { FilterNode } from './scim-filter.types';
import { findAttribute, findExtension, resolvePath } from './scim-schema.resolve';
import type { ScimAttribute, ScimResourceType } from './scim-schema.types';
import { isPlainObject } from './scim-values';

type Json = Record<string, unknown>;

export interface ProjectionOptions {
  /** Comma-separated names to return (plus `returned: always` ones), RFC 7644 §3.4.2.5. */
  attributes?: string;
  /** Comma-separated names to leave out; ignored when `attributes` is given. */
  excludedAttributes?: string;
}

/** Common attributes (RFC 7643 §3.1) that the resource schemas do not list but every response keeps. */
const ALWAYS = new Set(['id', 'schemas', 'meta']);

interface Selector {
  /** Canonical extension URN, or undefined for a top-level key. */
  extension?: string;
  wholeExtension?: boolean;
  attribute: string;
  sub?: string;
  filter?: FilterNode;
}

/**
 * Whether a core attribute is in a response projected with `options`, under any name for it
 * (`members`, `members.value`, its URN-qualified form): what need not be loaded when it is not.
 */
export function includesCoreAttribute(attribute: string, resourceType: ScimResourceType, options: ProjectionOptions = {}): boolean {
  const names = (selector: Selector) => selector.extension === undefined && !selector.wholeExtension && selector.attribute === attribute.toLowerCase();
  const requested = selectors(options.attributes, resourceType);
  if (requested.length > 0) return requested.some(names);
  return !selectors(options.excludedAttributes, resourceType).some((selector) => names(selector) && selector.sub === undefined && selector.filter === undefined);
}

/**
 * Applies `attributes` / `excludedAttributes` and the `returned` characteristic: `always` (and id,
 * schemas, meta) stays even if excluded, `never` never leaves, `request` only when named. Names are
 * case-insensitive and may be URN-qualified or name sub-attributes; unknown names are ignored.
 */
export function projectAttributes(resource: Json, resourceType: ScimResourceType, options: ProjectionOptions = {}): Json {
  return attributeProjection(resourceType, options)(resource);
}

/**
 * `projectAttributes` with the names read once, here: a list with a name that is no attribute name
 * is refused (invalidValue) before anything is read or written, and a page of resources is
 * projected without reading the names again for each.
 */
export function attributeProjection(resourceType: ScimResourceType, options: ProjectionOptions = {}): (resource: Json) => Json {
  const requested = selectors(options.attributes, resourceType);
  const excluded = requested.length > 0 ? [] : selectors(options.excludedAttributes, resourceType);
  return (resource) => project(resource, resourceType, requested, excluded);
}

function project(resource: Json, resourceType: ScimResourceType, requested: Selector[], excluded: Selector[]): Json {
  const output: Json = {};
  for (const [key, value] of Object.entries(resource)) {
    const extension = findExtension(resourceType, key);
    if (extension === undefined) {
      const projected = projectOne(key, value, findAttribute(resourceType.schema.attributes, key), undefined, requested, excluded);
      if (projected !== undefined) output[key] = projected;
      continue;
    }
    if (!isPlainObject(value)) continue;
    const urn = extension.schema.id;
    const whole = (list: Selector[]) => list.some((selector) => selector.wholeExtension && selector.extension === urn);
    if (whole(excluded)) continue;
    const inner: Json = {};
    for (const [name, item] of Object.entries(value)) {
      const def = findAttribute(extension.schema.attributes, name);
      const projected = whole(requested)
        ? projectOne(name, item, def, urn, [], [])
        : projectOne(name, item, def, urn, requested, excluded);
      if (projected !== undefined) inner[name] = projected;
    }
    if (Object.keys(inner).length > 0) output[key] = inner;
  }
  return output;
}

function projectOne(name: string, value: unknown, def: ScimAttribute | undefined, extension: string | undefined, requested: Selector[], excluded: Selector[]): unknown {
  const returned = extension === undefined && ALWAYS.has(name.toLowerCase()) ? 'always' : (def?.returned ?? 'default');
  if (returned === 'never') return undefined;
  const mine = (list: Selector[]) => list.filter((selector) => !selector.wholeExtension && selector.extension === extension && selector.attribute === name.toLowerCase());
  if (returned === 'always') return withoutNever(value, def);
  if (requested.length > 0) {
    const selected = mine(requested);
    return selected.length === 0 ? undefined : pick(value, def, selected);
  }
  if (returned === 'request') return undefined;
  const dropped = mine(excluded);
  if (dropped.some((selector) => selector.sub === undefined && selector.filter === undefined)) return undefined;
  const subAttributes = def?.subAttributes ?? [];
  // `phoneNumbers[type eq "direct"]`: only the elements the filter matches go.
  const droppedElements = dropped.filter((selector) => selector.sub === undefined);
  const matchedBy = (object: unknown, selectors: Selector[]) => selectors.some((selector) => matchesFilter(object, selector.filter as FilterNode, subAttributes));
  let kept = withoutNever(value, def);
  if (droppedElements.length > 0) {
    if (!Array.isArray(kept)) return matchedBy(kept, droppedElements) ? undefined : kept;
    kept = kept.filter((item) => !matchedBy(item, droppedElements));
    if ((kept as unknown[]).length === 0) return undefined;
  }
  const droppedSubs = dropped.filter((selector) => selector.sub !== undefined);
  return mapObjects(kept, (object) =>
    omit(object, new Set(droppedSubs.filter((selector) => selector.filter === undefined || matchedBy(object, [selector])).map((selector) => selector.sub as string))),
  );
}

/** Only the named parts: whole attribute, elements matching `emails[type eq "work"]`, or sub-attributes. */
function pick(value: unknown, def: ScimAttribute | undefined, selected: Selector[]): unknown {
  const whole = selected.filter((selector) => selector.sub === undefined);
  if (whole.some((selector) => selector.filter === undefined)) return withoutNever(value, def);
  if (whole.length > 0) {
    if (!Array.isArray(value)) return withoutNever(value, def);
    const kept = value.filter((item) => whole.some((selector) => matchesFilter(item, selector.filter as FilterNode, def?.subAttributes ?? [])));
    return kept.length > 0 ? withoutNever(kept, def) : undefined;
  }
  // Sub-attributes of the elements each selector's filter matches: `phoneNumbers[type eq "mobile"].value`.
  return mapObjects(withoutNever(value, def), (object) => {
    const subs = new Set(
      selected
        .filter((selector) => selector.filter === undefined || matchesFilter(object, selector.filter, def?.subAttributes ?? []))
        .map((selector) => selector.sub as string),
    );
    return Object.fromEntries(Object.entries(object).filter(([key]) => subs.has(key.toLowerCase())));
  });
}

function withoutNever(value: unknown, def: ScimAttribute | undefined): unknown {
  const hidden = new Set((def?.subAttributes ?? []).filter((sub) => sub.returned === 'never').map((sub) => sub.name.toLowerCase()));
  return hidden.size === 0 ? value : mapObjects(value, (object) => omit(object, hidden));
}

function omit(object: Json, lowerKeys: Set<string>): Json {
  return Object.fromEntries(Object.entries(object).filter(([key]) => !lowerKeys.has(key.toLowerCase())));
}

/** Applies `map` to a complex value or to each element of a multi-valued one; drops what ends up empty. */
function mapObjects(value: unknown, map: (object: Json) => Json): unknown {
  if (isPlainObject(value)) {
    const mapped = map(value);
    return Object.keys(mapped).length > 0 ? mapped : undefined;
  }
  if (!Array.isArray(value)) return value;
  const mapped = value.map((item) => (isPlainObject(item) ? map(item) : item)).filter((item) => !isPlainObject(item) || Object.keys(item).length > 0);
  return mapped.length > 0 ? mapped : undefined;
}

function selectors(list: string | undefined, resourceType: ScimResourceType): Selector[] {
  if (list === undefined) return [];
  return list
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '')
    .map((name) => {
      let path;
      try {
        path = parseAttributePath(name);
      } catch (error) {
        throw error instanceof ScimError ? ScimError.invalidValue(`invalid attribute name '${name}' in attributes/excludedAttributes`) : error;
      }
      const resolved = resolvePath(resourceType, path);
      if (resolved.wholeExtension !== undefined) return { extension: resolved.wholeExtension.id, wholeExtension: true, attribute: '' };
      const canonical = resolved.known ? resolved.path : path;
      // Names the schema does not describe (externalId, meta.created, …) still select top-level keys.
      const core = canonical.uri === undefined || canonical.uri.toLowerCase() === resourceType.schema.id.toLowerCase();
      const attribute = resolved.known || core ? canonical.attribute : `${canonical.uri}:${canonical.attribute}`;
      const selector: Selector = { attribute: attribute.toLowerCase() };
      if (resolved.extension !== undefined) selector.extension = resolved.extension;
      if (canonical.subAttribute !== undefined) selector.sub = canonical.subAttribute.toLowerCase();
      if (canonical.valueFilter !== undefined) {
        // A filter that could never be evaluated (`emails[primary gt true]`) is refused here, before a write, not after it.
        if (resolved.attribute !== undefined) checkComparisons(canonical.valueFilter, resolved.attribute.subAttributes ?? [], name);
        selector.filter = canonical.valueFilter;
      }
      return selector;
    });
}

/** Evaluates every comparison of a filter once, so that one whose value does not fit its attribute's type fails now. */
function checkComparisons(filter: FilterNode, subAttributes: readonly ScimAttribute[], name: string): void {
  if (filter.kind === 'and' || filter.kind === 'or') {
    checkComparisons(filter.left, subAttributes, name);
    checkComparisons(filter.right, subAttributes, name);
  } else if (filter.kind === 'not') {
    checkComparisons(filter.filter, subAttributes, name);
  } else {
    try {
      matchesFilter({}, filter, subAttributes);
    } catch (error) {
      throw error instanceof ScimError ? ScimError.invalidValue(`invalid filter in '${name}' in attributes/excludedAttributes: ${error.detail}`) : error;
    }
  }
}
