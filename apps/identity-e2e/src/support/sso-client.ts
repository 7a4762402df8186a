import { randomUUID } from 'node:crypto';
import { inflateRawSync } from 'node:zlib';
import { azureResponseXml, createIdpKeys, eventually, postBinding, type AzureResponseOptions, type IdpKeys } from '@identity/platform-testing';
import type { IdentityStack, ScimTenant } from './identity-stack';

/** The public origin the SSO tests run under: entity ID and ACS are `${PUBLIC_ORIGIN}/saml2`. */
export const PUBLIC_ORIGIN = 'https://sso.example.test';
/** The session cookie's name under an https PUBLIC_BASE_URL such as PUBLIC_ORIGIN. */
export const SESSION_COOKIE = '__Host-sso_session';
export const SP_ENTITY_ID = `${PUBLIC_ORIGIN}/saml2`;
export const WSIGNOUT = 'https://login.microsoftonline.com/common/wsfederation?wa=wsignout1.0';

export interface BrowserResult {
  status: number;
  location: string | null;
  /** The session cookie the response set, if any. */
  sessionCookie: string | null;
  body: string;
}

/** One company's Azure AD: its tenant GUID, issuer, sign-in URL and signing keys. */
export interface AzureTenant {
  issuer: string;
  signInUrl: string;
  keys: IdpKeys;
}

export function azureTenant(): AzureTenant {
  const guid = randomUUID();
  return { issuer: `https://sts.windows.net/${guid}/`, signInUrl: `https://login.microsoftonline.com/${guid}/saml2`, keys: createIdpKeys() };
}

/** A browser against saml-auth, redirects not followed, the session cookie carried by hand. */
export function ssoBrowser(stack: IdentityStack) {
  async function send(method: string, path: string, options: { form?: Record<string, string>; cookie?: string | null; body?: string | Buffer; headers?: Record<string, string> } = {}) {
    const headers: Record<string, string> = { ...options.headers };
    if (options.cookie) headers.cookie = `${SESSION_COOKIE}=${options.cookie}`;
    let body: string | Buffer | undefined = options.body;
    if (options.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(options.form).toString();
    }
    const response = await fetch(`${stack.ssoBase}${path}`, { method, headers, body: Buffer.isBuffer(body) ? new Uint8Array(body) : body, redirect: 'manual' });
    const setCookie = response.headers.getSetCookie().find((cookie) => cookie.startsWith(`${SESSION_COOKIE}=`));
    const value = setCookie ? decodeURIComponent(setCookie.slice(`${SESSION_COOKIE}=`.length).split(';')[0]) : null;
    return { status: response.status, location: response.headers.get('location'), sessionCookie: value || null, body: await response.text(), headers: response.headers };
  }

  return {
    send,
    /** Posts a SAMLResponse to the ACS as the browser would after Azure AD's auto-submitting form. */
    postResponse: (xml: string, relayState?: string) => send('POST', '/saml2', { form: { SAMLResponse: postBinding(xml), ...(relayState === undefined ? {} : { RelayState: relayState }) } }),
    /** SP-initiated start: the username page, then the redirect to Azure with the AuthnRequest. */
    async startSignIn(userName: string, relayState = '/console/users') {
      const started = await send('POST', '/sso/login', { form: { username: userName, relayState } });
      expect(started.status).toBe(303);
      const location = new URL(started.location!);
      const request = inflateRawSync(Buffer.from(location.searchParams.get('SAMLRequest')!, 'base64')).toString('utf8');
      const requestId = /\sID="([^"]+)"/.exec(request)![1];
      return { location, request, requestId, relayState: location.searchParams.get('RelayState') };
    },
    token: (cookie: string) => send('POST', '/sso/token', { cookie }),
    introspect: async (token: string, platformToken: string) => {
      const result = await send('POST', '/sso/introspect', { body: JSON.stringify({ token }), headers: { 'content-type': 'application/json', authorization: `Bearer ${platformToken}` } });
      return JSON.parse(result.body) as { active: boolean; sub?: string; tenantId?: string; sessionId?: string; sessionIdleUntil?: string };
    },
  };
}

/** A response from this Azure tenant for this user, Azure's defaults unless overridden. */
export function azureResponse(azure: AzureTenant, nameId: string, overrides: Partial<AzureResponseOptions> = {}): string {
  return azureResponseXml({ keys: azure.keys, issuer: azure.issuer, nameId, audience: SP_ENTITY_ID, recipient: SP_ENTITY_ID, ...overrides });
}

/** What an admin does in the SSO panel: upload Azure's Base64 certificate, fill the URLs, enable. */
export async function configureSso(stack: IdentityStack, tenant: ScimTenant, azure: AzureTenant, signOutUrl: string | null = WSIGNOUT) {
  const api = (method: string, path: string, body?: unknown) => stack.admin(stack.ssoBase, method, `/api/v1/tenants/${tenant.tenantId}/sso${path}`, tenant.adminToken, body);
  // The company and its admin token reach saml-auth through Kafka.
  await eventually(async () => expect((await api('GET', '')).status).toBe(200));
  const uploaded = await fetch(`${stack.ssoBase}/api/v1/tenants/${tenant.tenantId}/sso/certificates`, {
    method: 'POST',
    headers: { authorization: `Bearer ${tenant.adminToken}`, 'content-type': 'application/x-x509-ca-cert' },
    body: azure.keys.certPem,
  });
  expect(uploaded.status).toBe(201);
  const configured = await api('PUT', '', { enabled: true, idp: 'azure-ad', signInUrl: azure.signInUrl, issuer: azure.issuer, signOutUrl });
  expect(configured.status).toBe(200);
  return configured.body;
}

/** Waits until sign-in knows the user (login eligibility comes from user events over Kafka). */
export async function waitForLoginAccount(stack: IdentityStack, userName: string, status = 'active') {
  await eventually(async () => {
    const rows = await stack.sso!.infrastructure.dataSource.query(`SELECT status FROM sso.login_accounts WHERE user_name = $1`, [userName]);
    expect(rows[0]?.status).toBe(status);
  });
}
