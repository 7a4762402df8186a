import type { ScimAttribute, ScimResourceType, ScimSchema } from './scim-schema.types';

export const SCHEMA_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Schema';
export const RESOURCE_TYPE_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:ResourceType';

/**
 * The /Schemas entries (RFC 7643 §7) for the given resource types: each core schema and extension
 * once. Entra's discovery wants camelCase characteristic values and absent values omitted, not null.
 */
export function schemaDocument(resourceTypes: readonly ScimResourceType[], baseUrl = ''): Record<string, unknown>[] {
  const schemas = new Map<string, ScimSchema>();
  for (const resourceType of resourceTypes) {
    for (const schema of [resourceType.schema, ...resourceType.extensions.map((extension) => extension.schema)]) {
      if (!schemas.has(schema.id)) schemas.set(schema.id, schema);
    }
  }
  return [...schemas.values()].map((schema) => ({
    schemas: [SCHEMA_SCHEMA],
    id: schema.id,
    name: schema.name,
    description: schema.description,
    attributes: schema.attributes.map(attributeDocument),
    meta: { resourceType: 'Schema', location: `${trimSlash(baseUrl)}/Schemas/${schema.id}` },
  }));
}

/** One /ResourceTypes entry (RFC 7643 §6). */
export function resourceTypeDocument(resourceType: ScimResourceType, baseUrl = ''): Record<string, unknown> {
  return {
    schemas: [RESOURCE_TYPE_SCHEMA],
    id: resourceType.id,
    name: resourceType.name,
    endpoint: resourceType.endpoint,
    description: resourceType.description,
    schema: resourceType.schema.id,
    ...(resourceType.extensions.length > 0
      ? { schemaExtensions: resourceType.extensions.map((extension) => ({ schema: extension.schema.id, required: extension.required })) }
      : {}),
    meta: { resourceType: 'ResourceType', location: `${trimSlash(baseUrl)}/ResourceTypes/${resourceType.id}` },
  };
}

function attributeDocument(attribute: ScimAttribute): Record<string, unknown> {
  const document: Record<string, unknown> = {
    name: attribute.name,
    type: attribute.type,
    multiValued: attribute.multiValued,
    description: attribute.description,
    required: attribute.required,
    caseExact: attribute.caseExact,
    mutability: attribute.mutability,
    returned: attribute.returned,
    uniqueness: attribute.uniqueness,
  };
  if (attribute.canonicalValues !== undefined) document.canonicalValues = [...attribute.canonicalValues];
  if (attribute.referenceTypes !== undefined) document.referenceTypes = [...attribute.referenceTypes];
  if (attribute.subAttributes !== undefined) document.subAttributes = attribute.subAttributes.map(attributeDocument);
  return document;
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}
