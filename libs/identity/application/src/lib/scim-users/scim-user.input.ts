import { ENTERPRISE_SCHEMA, SITE_SCHEMA, SITE_SCHEMA_ALT } from '@identity/identity-data-access';
import type { UserProfile } from '@identity/identity-domain';
import { coerceBoolean, ScimError } from '@identity/platform-scim';

/** What a SCIM User body says, in the domain's terms. `undefined`: not said; `null`: cleared. */
export interface ScimUserInput {
  userName: string | undefined;
  externalId: string | null;
  active: boolean | undefined;
  profile: UserProfile;
  siteName: string | undefined;
}

const LIMITS = { userName: 256, externalId: 256, email: 320, phone: 64, text: 256, locale: 32, timezone: 64, site: 200 };

/**
 * Reads a User resource leniently, as the IdPs send it: attribute names in any case, booleans as
 * strings, extension attributes nested under their URN or flat as `urn:...:User:attr`, and the
 * site under either of the two extension URNs. Values are kept exactly as sent.
 */
export function readScimUser(body: unknown, previousSite?: string | null): ScimUserInput {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw ScimError.invalidSyntax('the body must be a JSON object');
  const resource = body as Record<string, unknown>;
  const name = objectAt(resource, 'name');
  const emails = arrayAt(resource, 'emails');
  const phones = arrayAt(resource, 'phoneNumbers');
  return {
    userName: optionalText(get(resource, 'userName'), 'userName', LIMITS.userName),
    externalId: optionalText(get(resource, 'externalId'), 'externalId', LIMITS.externalId) ?? null,
    active: booleanAt(resource, 'active'),
    profile: {
      givenName: optionalText(name && get(name, 'givenName'), 'name.givenName', LIMITS.text) ?? null,
      familyName: optionalText(name && get(name, 'familyName'), 'name.familyName', LIMITS.text) ?? null,
      email: optionalText(pick(emails, 'work', 'any-primary'), 'emails[type eq "work"].value', LIMITS.email) ?? null,
      title: optionalText(get(resource, 'title'), 'title', LIMITS.text) ?? null,
      department: optionalText(extensionValue(resource, ENTERPRISE_SCHEMA, 'department'), 'department', LIMITS.text) ?? null,
      mobilePhone: optionalText(pick(phones, 'mobile', 'none'), 'phoneNumbers[type eq "mobile"].value', LIMITS.phone) ?? null,
      workPhone: optionalText(pick(phones, 'work', 'untyped-primary'), 'phoneNumbers[type eq "work"].value', LIMITS.phone) ?? null,
      locale: optionalText(get(resource, 'locale'), 'locale', LIMITS.locale) ?? null,
      timezone: optionalText(get(resource, 'timezone'), 'timezone', LIMITS.timezone) ?? null,
    },
    siteName: optionalText(siteValue(resource, previousSite), 'site', LIMITS.site),
  };
}

function get(object: Record<string, unknown>, name: string): unknown {
  const lower = name.toLowerCase();
  const key = Object.keys(object).find((candidate) => candidate.toLowerCase() === lower);
  return key === undefined ? undefined : object[key];
}

function objectAt(object: Record<string, unknown>, name: string): Record<string, unknown> | undefined {
  const value = get(object, name);
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) throw ScimError.invalidValue(`${name} must be an object`);
  return value as Record<string, unknown>;
}

function arrayAt(object: Record<string, unknown>, name: string): Record<string, unknown>[] {
  const value = get(object, name);
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw ScimError.invalidValue(`${name} must be an array`);
  return value.filter((item): item is Record<string, unknown> => typeof item === 'object' && item !== null);
}

/**
 * The element of the wanted type, the last one: a user has one value of each type, and a PATCH add
 * appends the new value after the one it replaces. Where the type is the user's main one (the work
 * email, the work phone), an untyped value marked primary counts as well (adding one clears
 * `primary` on ours, RFC 7643 §2.4), and so does a lone untyped value; for emails, failing those,
 * the primary one of any type.
 */
function pick(elements: Record<string, unknown>[], type: string, fallBack: 'any-primary' | 'untyped-primary' | 'none'): unknown {
  const typeOf = (element: Record<string, unknown>) => String(get(element, 'type') ?? '').toLowerCase();
  const primary = (element: Record<string, unknown>) => coerceBoolean(get(element, 'primary')) === true;
  const chosen = [...elements].reverse().find((element) => typeOf(element) === type || (fallBack !== 'none' && typeOf(element) === '' && primary(element)));
  if (chosen) return get(chosen, 'value');
  if (fallBack === 'none') return undefined;
  const anyPrimary = fallBack === 'any-primary' ? elements.find(primary) : undefined;
  if (anyPrimary) return get(anyPrimary, 'value');
  return elements.length === 1 && get(elements[0], 'type') === undefined ? get(elements[0], 'value') : undefined;
}

function extensionValue(resource: Record<string, unknown>, urn: string, attribute: string): unknown {
  const nested = objectAt(resource, urn);
  const value = nested ? get(nested, attribute) : undefined;
  return value !== undefined ? value : get(resource, `${urn}:${attribute}`);
}

/**
 * The site under either URN. A resource we returned carries it under both; after a PATCH the one
 * the IdP changed is the one that differs from before.
 */
function siteValue(resource: Record<string, unknown>, previousSite?: string | null): unknown {
  const values = [extensionValue(resource, SITE_SCHEMA, 'site'), extensionValue(resource, SITE_SCHEMA_ALT, 'site')].filter((value) => value !== undefined);
  return values.find((value) => value !== previousSite) ?? values[0];
}

function booleanAt(object: Record<string, unknown>, name: string): boolean | undefined {
  const value = get(object, name);
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string' && /^(true|false)$/i.test(value)) return value.toLowerCase() === 'true';
  throw ScimError.invalidValue(`${name} must be true or false`);
}

function optionalText(value: unknown, name: string, max: number): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw ScimError.invalidValue(`${name} must be a string`);
  if (value.length > max) throw ScimError.invalidValue(`${name} is longer than ${max} characters`);
  return value;
}
