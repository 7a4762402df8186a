import type { Request, Response } from 'express';
import { attributeProjection, parseFilter, ScimError, type FilterNode, type ScimResourceType } from '@identity/platform-scim';
import type { ScimCaller } from '@identity/identity-application';

export const SCIM_CONTENT_TYPE = 'application/scim+json; charset=utf-8';
export const LIST_RESPONSE = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
export const MAX_PAGE = 1000;
export const DEFAULT_PAGE = 100;

/** What the SCIM guard puts on the request once the token opened the tenant's endpoint. */
export type ScimRequest = Request & { scimCaller?: ScimCaller };

export function caller(request: ScimRequest): ScimCaller {
  if (!request.scimCaller) throw new Error('SCIM route without the SCIM guard');
  return request.scimCaller;
}

export interface ListParameters {
  filter?: FilterNode;
  startIndex: number;
  count: number;
  sortBy?: string;
  descending: boolean;
  attributes?: string;
  excludedAttributes?: string;
}

/** RFC 7644 §3.4.2: 1-based startIndex (below 1 means 1), count capped and never negative. */
export function listParameters(query: Record<string, unknown>): ListParameters {
  const value = (name: string) => {
    const key = Object.keys(query).find((candidate) => candidate.toLowerCase() === name.toLowerCase());
    const raw = key === undefined ? undefined : query[key];
    if (Array.isArray(raw)) throw ScimError.invalidValue(`${name} is given more than once`);
    return typeof raw === 'string' ? raw : undefined;
  };
  const integer = (name: string, fallback: number) => {
    const raw = value(name);
    if (raw === undefined || raw === '') return fallback;
    if (!/^-?\d+$/.test(raw)) throw ScimError.invalidValue(`${name} must be an integer`);
    return Number(raw);
  };
  const filterText = value('filter');
  const sortOrder = value('sortOrder')?.toLowerCase();
  if (sortOrder !== undefined && sortOrder !== 'ascending' && sortOrder !== 'descending') {
    throw ScimError.invalidValue('sortOrder is ascending or descending');
  }
  return {
    filter: filterText !== undefined && filterText.trim() !== '' ? parseFilter(filterText) : undefined,
    // Past the end is an empty page; capped so that PostgreSQL's OFFSET (a bigint) can take it.
    startIndex: Math.min(Number.MAX_SAFE_INTEGER, Math.max(1, integer('startIndex', 1))),
    count: Math.min(MAX_PAGE, Math.max(0, integer('count', DEFAULT_PAGE))),
    sortBy: value('sortBy') || undefined,
    descending: sortOrder === 'descending',
    attributes: value('attributes'),
    excludedAttributes: value('excludedAttributes'),
  };
}

/** `attributes` and `excludedAttributes` alone, their names in any case as on lists (a single resource, a write's answer). */
export function selectionParameters(query: Record<string, unknown>): Pick<ListParameters, 'attributes' | 'excludedAttributes'> {
  const selection = Object.fromEntries(Object.entries(query).filter(([name]) => ['attributes', 'excludedattributes'].includes(name.toLowerCase())));
  const { attributes, excludedAttributes } = listParameters(selection);
  return { attributes, excludedAttributes };
}

export function listResponse(total: number, startIndex: number, resources: unknown[]) {
  return { schemas: [LIST_RESPONSE], totalResults: total, startIndex, itemsPerPage: resources.length, Resources: resources };
}

/** `W/"3"`, `"3"` or `*` (any version); a user's `W/"3-1a2b3c4d"` is its version 3 too. */
export function ifMatchVersion(request: Request): number | undefined {
  const header = request.headers['if-match'];
  if (header === undefined || header.trim() === '*') return undefined;
  const match = /^(?:W\/)?"(\d+)(?:-[0-9a-f]{8})?"$/.exec(header.trim());
  if (!match) throw new ScimError(412, undefined, 'If-Match must be an ETag this service issued');
  return Number(match[1]);
}

/** The ETag of a resource: its `meta.version`. */
function etagOf(resource: Record<string, unknown>): string {
  return (resource.meta as { version: string }).version;
}

/**
 * If-None-Match on a GET (RFC 7232 §3.2, weak comparison): `*`, or a list of tags, weak or not.
 * When one is the resource's, the response is a 304 that still carries the ETag.
 */
export function notModified(request: Request, response: Response, resource: Record<string, unknown>): boolean {
  const header = request.headers['if-none-match'];
  if (header === undefined) return false;
  const etag = etagOf(resource);
  const opaque = etag.replace(/^W\//, '');
  const matches = header.trim() === '*' || header.split(',').some((tag) => tag.trim().replace(/^W\//, '') === opaque);
  if (matches) response.status(304).setHeader('ETag', etag);
  return matches;
}

export type Projection = (resource: Record<string, unknown>) => Record<string, unknown>;

/**
 * The attributes a response is to carry (`attributes`, `excludedAttributes`), read before the
 * request does anything: a write whose list is bad is refused with nothing changed, not stored and
 * then reported as failed.
 */
export function responseProjection(query: Record<string, unknown>, resourceType: ScimResourceType): Projection {
  const { attributes, excludedAttributes } = selectionParameters(query);
  return attributeProjection(resourceType, { attributes, excludedAttributes });
}

/** A resource response: its ETag, the SCIM media type, and only the attributes the client asked for. */
export function resourceResponse(response: Response, projection: Projection, resource: Record<string, unknown>) {
  response.setHeader('ETag', etagOf(resource));
  response.type(SCIM_CONTENT_TYPE);
  return projection(resource);
}
