import type { FilterSchema, ScimAttribute, ScimResourceType } from './scim-schema.types';

/** Test-only schemas shaped like RFC 7643 §8.7 plus the extensions Entra sends us. Not exported. */

export const CORE_USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
export const SITE_EXTENSION = 'urn:ietf:params:scim:schemas:extension:8x8:1.1:User';
export const SITE_ALIAS = 'urn:8x8:scim:schemas:extension:8x8user:2.0:User';
export const CORE_GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';

const attr = (name: string, extra: Partial<ScimAttribute> = {}): ScimAttribute => ({
  name,
  type: 'string',
  multiValued: false,
  description: `${name}.`,
  required: false,
  caseExact: false,
  mutability: 'readWrite',
  returned: 'default',
  uniqueness: 'none',
  ...extra,
});

const complex = (name: string, subAttributes: ScimAttribute[], extra: Partial<ScimAttribute> = {}): ScimAttribute =>
  attr(name, { type: 'complex', subAttributes, ...extra });

const typedList = (name: string, types: string[], valueCaseExact = false): ScimAttribute =>
  complex(
    name,
    [attr('value', { caseExact: valueCaseExact }), attr('display'), attr('type', { canonicalValues: types }), attr('primary', { type: 'boolean' })],
    { multiValued: true },
  );

export const userType: ScimResourceType = {
  id: 'User',
  name: 'User',
  endpoint: '/Users',
  description: 'User Account',
  schema: {
    id: CORE_USER,
    name: 'User',
    description: 'User Account',
    attributes: [
      attr('userName', { required: true, uniqueness: 'server' }),
      complex('name', [attr('formatted'), attr('familyName'), attr('givenName')]),
      attr('displayName'),
      attr('nickName'),
      attr('title'),
      attr('locale'),
      attr('timezone'),
      attr('active', { type: 'boolean' }),
      attr('password', { mutability: 'writeOnly', returned: 'never' }),
      typedList('emails', ['work', 'home', 'other']),
      // Phone numbers compare exactly here, so the tests cover a caseExact sub-attribute.
      typedList('phoneNumbers', ['work', 'mobile', 'other'], true),
      complex('addresses', [attr('formatted'), attr('streetAddress'), attr('locality'), attr('type'), attr('primary', { type: 'boolean' })], { multiValued: true }),
      typedList('roles', []),
      complex('groups', [attr('value'), attr('$ref', { type: 'reference' }), attr('display')], { multiValued: true, mutability: 'readOnly' }),
      attr('loginCount', { type: 'integer' }),
      attr('secretNote', { returned: 'request' }),
    ],
  },
  extensions: [
    {
      required: false,
      schema: {
        id: ENTERPRISE,
        name: 'EnterpriseUser',
        description: 'Enterprise User',
        attributes: [
          attr('employeeNumber'),
          attr('department'),
          attr('costCenter'),
          complex('manager', [attr('value'), attr('$ref', { type: 'reference' }), attr('displayName', { mutability: 'readOnly' })]),
        ],
      },
    },
    {
      required: false,
      aliases: [SITE_ALIAS],
      schema: { id: SITE_EXTENSION, name: '8x8User', description: '8x8 user', attributes: [attr('site', { mutability: 'immutable' })] },
    },
  ],
};

export const groupType: ScimResourceType = {
  id: 'Group',
  name: 'Group',
  endpoint: '/Groups',
  description: 'Group',
  schema: {
    id: CORE_GROUP,
    name: 'Group',
    description: 'Group',
    attributes: [
      attr('displayName', { required: true, uniqueness: 'server' }),
      complex('members', [attr('value', { caseExact: true, mutability: 'immutable' }), attr('$ref', { type: 'reference', mutability: 'immutable' }), attr('type', { mutability: 'immutable' })], {
        multiValued: true,
      }),
    ],
  },
  extensions: [],
};

const column = (sql: string, type: ScimAttribute['type'] = 'string', caseExact = false) => ({ kind: 'column' as const, sql, type, caseExact });
const constant = (value: string | boolean, type: ScimAttribute['type'] = 'string') => ({ kind: 'constant' as const, value, type, caseExact: false });

export const userFilterSchema: FilterSchema = {
  attributes: {
    id: column('u.id', 'string', true),
    username: column('u.user_name'),
    externalid: column('u.external_id', 'string', true),
    displayname: column('u.display_name'),
    title: column('u.title'),
    active: column('u.active', 'boolean'),
    'name.givenname': column('u.given_name'),
    'name.familyname': column('u.family_name'),
    'meta.created': column('u.created_at', 'dateTime'),
    'meta.lastmodified': column('u.updated_at', 'dateTime'),
    'meta.resourcetype': constant('User'),
    logincount: column('u.login_count', 'integer'),
    'urn:ietf:params:scim:schemas:extension:enterprise:2.0:user:department': column('u.department'),
    'urn:ietf:params:scim:schemas:extension:enterprise:2.0:user:manager.value': column('u.manager_id'),
    'urn:ietf:params:scim:schemas:extension:8x8:1.1:user:site': column("u.profile->>'site'"),
  },
  multiValued: {
    emails: {
      defaultSubAttribute: 'value',
      variants: [
        { presentSql: 'u.email IS NOT NULL', subAttributes: { value: column('u.email'), type: constant('work'), primary: constant(true, 'boolean') } },
        { presentSql: 'u.home_email IS NOT NULL', subAttributes: { value: column('u.home_email'), type: constant('home') } },
      ],
    },
    phonenumbers: {
      defaultSubAttribute: 'value',
      variants: [
        { presentSql: 'u.mobile IS NOT NULL', subAttributes: { value: column('u.mobile', 'string', true), type: constant('mobile') } },
        { presentSql: 'u.work_phone IS NOT NULL', subAttributes: { value: column('u.work_phone', 'string', true), type: constant('work') } },
      ],
    },
  },
  schemaUrns: [ENTERPRISE.toLowerCase(), SITE_EXTENSION.toLowerCase()],
};

/** Groups whose members are rows of a table of their own. */
export const groupFilterSchema: FilterSchema = {
  attributes: { displayname: column('g.display_name') },
  multiValued: {
    members: {
      defaultSubAttribute: 'value',
      variants: [{ presentSql: 'TRUE', rowsSql: 'FROM members m WHERE m.group_id = g.id', subAttributes: { value: column('m.user_id', 'string', true), display: column('m.user_name') } }],
    },
  },
  schemaUrns: [],
};

/** Freezing makes any mutation of the input throw in strict mode: the strongest "unchanged" check. */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    Object.values(value).forEach(deepFreeze);
    Object.freeze(value);
  }
  return value;
}
