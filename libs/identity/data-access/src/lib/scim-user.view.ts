import { DIRECT_NUMBER_TYPE, ENTERPRISE_SCHEMA, SITE_SCHEMA, SITE_SCHEMA_ALT, USER_LAST_MODIFIED, USER_SCHEMA } from './scim-resource-types';

/** A row of scim.users, as the queries select it. */
export interface ScimUserRow {
  user_id: string;
  tenant_id: string;
  user_name: string;
  external_id: string | null;
  active: boolean;
  owner: 'idp' | 'admin';
  idp: string | null;
  given_name: string | null;
  family_name: string | null;
  email: string | null;
  title: string | null;
  department: string | null;
  mobile_phone: string | null;
  work_phone: string | null;
  locale: string | null;
  timezone: string | null;
  site_id: string | null;
  site_name: string | null;
  /** Assigned in the admin console; SCIM shows them read-only. */
  extension: string | null;
  direct_number: string | null;
  created_at: Date;
  /** Of the representation, which other streams shape too (see USER_LAST_MODIFIED). */
  last_modified: Date;
  version: number;
  /**
   * What of the representation the user's stream version does not stand for: the extension and
   * number (licensing's) and a site renamed since the user's events named it, as a short hash;
   * null when there is none of these. The ETag carries it, so that a change there is a new ETag.
   */
  others_tag: string | null;
}

export const USER_COLUMNS = `u.user_id, u.tenant_id, u.user_name, u.external_id, u.active, u.owner, u.idp, u.given_name, u.family_name, u.email,
  u.title, u.department, u.mobile_phone, u.work_phone, u.locale, u.timezone, u.site_id, coalesce(sn.name, u.site_name) AS site_name, ut.extension, ut.direct_number, u.created_at, ${USER_LAST_MODIFIED} AS last_modified, u.version,
  CASE WHEN ut.user_id IS NULL AND (sn.name IS NULL OR sn.name = u.site_name) THEN NULL
       ELSE left(md5(json_build_array(ut.extension, ut.direct_number, sn.name)::text), 8) END AS others_tag`;

/** `W/"<version>"`, or `W/"<version>-<others_tag>"` when other streams shape the representation too (If-Match reads the version). */
export function userEtag(row: Pick<ScimUserRow, 'version' | 'others_tag'>): string {
  return row.others_tag === null ? `W/"${row.version}"` : `W/"${row.version}-${row.others_tag}"`;
}

/** The SCIM representation: values exactly as the IdP sent them; absent values are left out, not null. */
export function toScimUser(row: ScimUserRow, baseUrl: string): Record<string, unknown> {
  const name = compact({ givenName: row.given_name, familyName: row.family_name });
  const emails = row.email ? [{ value: row.email, type: 'work', primary: true }] : [];
  const phoneNumbers = [
    ...(row.mobile_phone ? [{ value: row.mobile_phone, type: 'mobile' }] : []),
    // The work number is the user's main one: a PATCH of `phoneNumbers[primary eq true].value` changes it.
    ...(row.work_phone ? [{ value: row.work_phone, type: 'work', primary: true }] : []),
    // A type no IdP maps, so Azure AD never tries to overwrite it (it is read-only: see the Schemas endpoint).
    ...(row.direct_number ? [{ value: row.direct_number, type: DIRECT_NUMBER_TYPE }] : []),
  ];
  const site = row.site_name !== null ? compact({ site: row.site_name, extension: row.extension, directNumber: row.direct_number }) : null;
  const schemas = [USER_SCHEMA];
  if (row.department !== null) schemas.push(ENTERPRISE_SCHEMA);
  if (row.site_name !== null) schemas.push(SITE_SCHEMA, SITE_SCHEMA_ALT);
  return compact({
    schemas,
    id: row.user_id,
    externalId: row.external_id,
    userName: row.user_name,
    name: Object.keys(name).length > 0 ? name : null,
    title: row.title,
    active: row.active,
    emails: emails.length > 0 ? emails : null,
    phoneNumbers: phoneNumbers.length > 0 ? phoneNumbers : null,
    locale: row.locale,
    timezone: row.timezone,
    [ENTERPRISE_SCHEMA]: row.department !== null ? { department: row.department } : null,
    [SITE_SCHEMA]: site,
    [SITE_SCHEMA_ALT]: site,
    meta: {
      resourceType: 'User',
      created: new Date(row.created_at).toISOString(),
      lastModified: new Date(row.last_modified).toISOString(),
      location: `${baseUrl}/Users/${row.user_id}`,
      version: userEtag(row),
    },
  });
}

function compact<T extends Record<string, unknown>>(object: T): Record<string, unknown> {
  return Object.fromEntries(Object.entries(object).filter(([, value]) => value !== null && value !== undefined));
}
