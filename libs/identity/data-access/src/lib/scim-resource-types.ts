import type { FilterSchema, ScimAttribute, ScimResourceType, ScimSchema } from '@identity/platform-scim';

export const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const ENTERPRISE_SCHEMA = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
/** The 8x8 gallery app's extension (the one Azure AD's 8x8 mapping uses)... */
export const SITE_SCHEMA = 'urn:ietf:params:scim:schemas:extension:8x8:1.1:User';
/** ...and the product's own spelling; both are accepted and both carry the site. */
export const SITE_SCHEMA_ALT = 'urn:8x8:scim:schemas:extension:8x8user:2.0:User';

/** The phone type of the direct number admins assign: not one Azure AD or Okta maps, and read-only here. */
export const DIRECT_NUMBER_TYPE = 'direct';

function attribute(name: string, overrides: Partial<ScimAttribute> = {}): ScimAttribute {
  return {
    name,
    type: 'string',
    multiValued: false,
    description: name,
    required: false,
    caseExact: false,
    mutability: 'readWrite',
    returned: 'default',
    uniqueness: 'none',
    ...overrides,
  };
}

const typedValue = (description: string, types: readonly string[]): ScimAttribute[] => [
  attribute('value', { description }),
  attribute('type', { description: 'The kind of value.', canonicalValues: types }),
];

/** A common attribute (RFC 7643 §3.1), listed in each core schema because IdPs map it and look for it here. */
const externalIdAttribute = attribute('externalId', { caseExact: true, description: 'The IdP’s own identifier for the resource.' });

const siteAttribute = attribute('site', {
  description: 'Exact name of a site of the company. Set once: a different value afterwards is refused.',
  mutability: 'immutable',
  // Matched exactly, in filters too: "London" is the site, "london" is not.
  caseExact: true,
});

export const userCoreSchema: ScimSchema = {
  id: USER_SCHEMA,
  name: 'User',
  description: 'User Account',
  attributes: [
    attribute('userName', {
      required: true,
      uniqueness: 'global',
      description: 'Sign-in name, unique across the platform regardless of case.',
    }),
    externalIdAttribute,
    attribute('name', {
      type: 'complex',
      description: 'The components of the user’s name.',
      subAttributes: [attribute('givenName', { description: 'First name.' }), attribute('familyName', { description: 'Last name.' })],
    }),
    attribute('title', { description: 'Job title.' }),
    attribute('active', { type: 'boolean', description: 'Whether the user can sign in; false deactivates, never deletes.' }),
    attribute('emails', {
      type: 'complex',
      multiValued: true,
      description: 'Email addresses; the work address is the user’s email.',
      // One address is kept, the work one, and it is the primary.
      subAttributes: [...typedValue('Email address.', ['work']), attribute('primary', { type: 'boolean', description: 'Always true: the work address.' })],
    }),
    attribute('phoneNumbers', {
      type: 'complex',
      multiValued: true,
      description: `Phone numbers: mobile (personal contact number) and work, stored exactly as sent; an untyped number marked primary is the work number, other types are not kept; "${DIRECT_NUMBER_TYPE}" is the direct number assigned in the admin console, read-only (writes ignore it).`,
      subAttributes: [
        ...typedValue('Phone number, stored exactly as sent.', ['mobile', 'work', 'direct']),
        attribute('primary', { type: 'boolean', description: 'True on the work number: the user’s main one.' }),
      ],
    }),
    attribute('locale', { description: 'Locale, e.g. en-US.' }),
    attribute('timezone', { description: 'Time zone, e.g. America/Los_Angeles.' }),
  ],
};

export const enterpriseSchema: ScimSchema = {
  id: ENTERPRISE_SCHEMA,
  name: 'EnterpriseUser',
  description: 'Enterprise User',
  attributes: [attribute('department', { description: 'Department.' })],
};

/** Set in the admin console once the user has a license; the IdP cannot write them. */
const telephonyAttributes = [
  attribute('extension', { description: 'Extension within the company, assigned in the admin console.', mutability: 'readOnly', caseExact: true }),
  attribute('directNumber', { description: 'Direct phone number (E.164), assigned in the admin console.', mutability: 'readOnly', caseExact: true }),
];

export const siteSchema: ScimSchema = { id: SITE_SCHEMA, name: '8x8User', description: 'Site and telephony profile of the user', attributes: [siteAttribute, ...telephonyAttributes] };
export const siteSchemaAlt: ScimSchema = { id: SITE_SCHEMA_ALT, name: '8x8UserV2', description: 'Site and telephony profile of the user', attributes: [siteAttribute, ...telephonyAttributes] };

export const groupCoreSchema: ScimSchema = {
  id: GROUP_SCHEMA,
  name: 'Group',
  description: 'Group',
  attributes: [
    attribute('displayName', { required: true, uniqueness: 'server', description: 'Name of the group, unique per company regardless of case.' }),
    externalIdAttribute,
    attribute('members', {
      type: 'complex',
      multiValued: true,
      description: 'Users in the group.',
      subAttributes: [
        attribute('value', { caseExact: true, mutability: 'immutable', description: 'id of a user.' }),
        attribute('$ref', { type: 'reference', referenceTypes: ['User'], mutability: 'immutable', description: 'URI of the user.' }),
        attribute('display', { mutability: 'readOnly', description: 'userName of the user.' }),
      ],
    }),
  ],
};

export const userResourceType: ScimResourceType = {
  id: 'User',
  name: 'User',
  endpoint: '/Users',
  description: 'User Account',
  schema: userCoreSchema,
  extensions: [
    { schema: enterpriseSchema, required: false },
    { schema: siteSchema, required: false },
    { schema: siteSchemaAlt, required: false },
  ],
};

/**
 * The User type as PATCH applies it. The site is advertised immutable, but whether a value changes
 * the site is the aggregate's call: after a rename, the old and the new name name the same site.
 */
export const userPatchResourceType: ScimResourceType = {
  ...userResourceType,
  extensions: userResourceType.extensions.map((extension) =>
    extension.schema === siteSchema || extension.schema === siteSchemaAlt
      ? { ...extension, schema: { ...extension.schema, attributes: [{ ...siteAttribute, mutability: 'readWrite' as const }, ...telephonyAttributes] } }
      : extension,
  ),
};

export const groupResourceType: ScimResourceType = {
  id: 'Group',
  name: 'Group',
  endpoint: '/Groups',
  description: 'Group',
  schema: groupCoreSchema,
  extensions: [],
};

const column = (sql: string, type: 'string' | 'boolean' | 'dateTime' = 'string', caseExact = false) =>
  ({ kind: 'column', sql, type, caseExact }) as const;
/** A name the domain stores trimmed (userName, a group's displayName): a filter on the name as sent finds it. */
const trimmedName = (sql: string) => ({ ...column(sql), trimmed: true }) as const;
const constant = (value: string | boolean) => ({ kind: 'constant', value, type: typeof value === 'boolean' ? 'boolean' : 'string', caseExact: false }) as const;

/**
 * When a user's representation last changed: its own events, or since then an extension or number
 * (licensing's) or a new name of its site (the directory's), which show in it too. Over scim.users
 * (u) with its site's current name (sn) and telephony (ut).
 */
export const USER_LAST_MODIFIED = 'greatest(u.last_modified, ut.changed_at, sn.named_at)';

/** Filters compile to SQL over scim.users (alias u); nothing is evaluated by loading users. */
export const userFilterSchema: FilterSchema = {
  attributes: {
    id: column('u.user_id::text', 'string', true),
    externalid: column('u.external_id', 'string', true),
    username: trimmedName('u.user_name'),
    active: column('u.active', 'boolean'),
    'name.givenname': column('u.given_name'),
    'name.familyname': column('u.family_name'),
    title: column('u.title'),
    locale: column('u.locale'),
    timezone: column('u.timezone'),
    'meta.created': column('u.created_at', 'dateTime'),
    'meta.lastmodified': column(USER_LAST_MODIFIED, 'dateTime'),
    [`${ENTERPRISE_SCHEMA.toLowerCase()}:department`]: column('u.department'),
    [`${SITE_SCHEMA.toLowerCase()}:site`]: column('coalesce(sn.name, u.site_name)', 'string', true),
    [`${SITE_SCHEMA_ALT.toLowerCase()}:site`]: column('coalesce(sn.name, u.site_name)', 'string', true),
    // What /Schemas lists can be filtered on: the telephony attributes admins assign.
    [`${SITE_SCHEMA.toLowerCase()}:extension`]: column('ut.extension', 'string', true),
    [`${SITE_SCHEMA_ALT.toLowerCase()}:extension`]: column('ut.extension', 'string', true),
    [`${SITE_SCHEMA.toLowerCase()}:directnumber`]: column('ut.direct_number', 'string', true),
    [`${SITE_SCHEMA_ALT.toLowerCase()}:directnumber`]: column('ut.direct_number', 'string', true),
  },
  multiValued: {
    emails: {
      defaultSubAttribute: 'value',
      variants: [{ presentSql: 'u.email IS NOT NULL', subAttributes: { value: column('u.email'), type: constant('work'), primary: constant(true) } }],
    },
    phonenumbers: {
      defaultSubAttribute: 'value',
      variants: [
        { presentSql: 'u.mobile_phone IS NOT NULL', subAttributes: { value: column('u.mobile_phone'), type: constant('mobile'), primary: constant(false) } },
        { presentSql: 'u.work_phone IS NOT NULL', subAttributes: { value: column('u.work_phone'), type: constant('work'), primary: constant(true) } },
        { presentSql: 'ut.direct_number IS NOT NULL', subAttributes: { value: column('ut.direct_number'), type: constant(DIRECT_NUMBER_TYPE), primary: constant(false) } },
      ],
    },
  },
  schemaUrns: [USER_SCHEMA.toLowerCase(), ENTERPRISE_SCHEMA.toLowerCase(), SITE_SCHEMA.toLowerCase(), SITE_SCHEMA_ALT.toLowerCase()],
};

/**
 * Filters compile to SQL over scim.groups (alias g); `members[value eq "<id>"]` asks for a member
 * row, among the members the IdP may see (`visibleMember`, a condition on scim.users u).
 */
export function groupFilterSchema(visibleMember: string): FilterSchema {
  return {
    attributes: {
      id: column('g.group_id::text', 'string', true),
      externalid: column('g.external_id', 'string', true),
      displayname: trimmedName('g.display_name'),
      'meta.created': column('g.created_at', 'dateTime'),
      'meta.lastmodified': column('g.last_modified', 'dateTime'),
    },
    multiValued: {
      members: {
        defaultSubAttribute: 'value',
        variants: [
          {
            presentSql: 'TRUE',
            rowsSql: `FROM scim.group_members m JOIN scim.users u ON u.user_id = m.user_id WHERE m.group_id = g.group_id AND ${visibleMember}`,
            subAttributes: { value: column('m.user_id::text', 'string', true), display: column('u.user_name') },
          },
        ],
      },
    },
    schemaUrns: [GROUP_SCHEMA.toLowerCase()],
  };
}
