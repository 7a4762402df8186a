import { randomUUID } from 'node:crypto';
import { createIdpKeys, TEST_PLATFORM_TOKEN } from '@identity/platform-testing';
import { azure as azureRequests } from '../support/azure-ad.requests';
import { IdentityStack, PATCH_OP, scimClient, type ScimTenant } from '../support/identity-stack';
import { azureResponse, azureTenant, configureSso, PUBLIC_ORIGIN, ssoBrowser, waitForLoginAccount, type AzureTenant } from '../support/sso-client';

/**
 * The product we replace lets a session live up to half an hour after the IdP deactivates the
 * user; ours must die within 5 seconds of the SCIM request, through the real Kafka path.
 */
describe('Sessions die with the user (SCIM → Kafka → saml-auth)', () => {
  const stack = new IdentityStack();
  let tenant: ScimTenant;
  let azure: AzureTenant;
  let browser: ReturnType<typeof ssoBrowser>;
  let scim: ReturnType<typeof scimClient>;

  beforeAll(async () => {
    await stack.start({ PUBLIC_BASE_URL: PUBLIC_ORIGIN }, { sso: true });
    browser = ssoBrowser(stack);
    tenant = await stack.tenant();
    azure = azureTenant();
    await configureSso(stack, tenant, azure);
    scim = scimClient(tenant);
  });

  afterAll(() => stack.stop());

  async function signedInUser() {
    const userName = `revoke.${randomUUID().slice(0, 8)}@contoso.com`;
    const userId = (await scim<{ id: string }>('POST', '/Users', azureRequests.createUser(userName))).body.id;
    await waitForLoginAccount(stack, userName);
    const cookies = [];
    for (let index = 0; index < 2; index++) cookies.push((await browser.postResponse(azureResponse(azure, userName))).sessionCookie!);
    const tokens = [];
    for (const cookie of cookies) tokens.push(JSON.parse((await browser.token(cookie)).body).accessToken as string);
    for (const token of tokens) expect(await browser.introspect(token, TEST_PLATFORM_TOKEN)).toMatchObject({ active: true, sub: userId });
    return { userName, userId, cookies, tokens };
  }

  /** Polls introspection until every token is inactive; returns how long that took after `since`. */
  async function msUntilInactive(tokens: string[], since: number): Promise<number> {
    for (;;) {
      const states = await Promise.all(tokens.map((token) => browser.introspect(token, TEST_PLATFORM_TOKEN)));
      if (states.every((state) => !state.active)) return Date.now() - since;
      if (Date.now() - since > 30_000) throw new Error('sessions still active 30 s after the SCIM request');
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  it('deactivation over SCIM (Azure’s PATCH active=False) ends every session of the user within 5 seconds', async () => {
    const user = await signedInUser();
    const start = Date.now();
    const patched = await scim('PATCH', `/Users/${user.userId}`, { schemas: [PATCH_OP], Operations: [{ op: 'Replace', path: 'active', value: 'False' }] });
    expect(patched.status).toBe(200);
    const elapsed = await msUntilInactive(user.tokens, start);
    process.stdout.write(`session revocation after SCIM deactivation: ${elapsed} ms\n`);
    expect(elapsed).toBeLessThan(5_000);
    for (const cookie of user.cookies) expect((await browser.token(cookie)).status).toBe(401);
    // Signing in again is refused while the user is deactivated…
    await waitForLoginAccount(stack, user.userName, 'deactivated');
    expect((await browser.postResponse(azureResponse(azure, user.userName))).status).toBe(403);
    // …and works again once Azure reactivates the user.
    await scim('PATCH', `/Users/${user.userId}`, { schemas: [PATCH_OP], Operations: [{ op: 'Replace', path: 'active', value: 'True' }] });
    await waitForLoginAccount(stack, user.userName, 'active');
    expect((await browser.postResponse(azureResponse(azure, user.userName))).status).toBe(303);
  });

  it('deletion over SCIM ends the sessions too', async () => {
    const user = await signedInUser();
    const start = Date.now();
    expect((await scim('DELETE', `/Users/${user.userId}`)).status).toBe(204);
    expect(await msUntilInactive(user.tokens, start)).toBeLessThan(5_000);
    expect((await browser.postResponse(azureResponse(azure, user.userName))).status).toBe(403);
  });

  it('ends a session nobody used for the idle timeout: no new token, and its tokens turn inactive', async () => {
    const user = await signedInUser();
    const [cookie] = user.cookies;
    const refreshed = JSON.parse((await browser.token(cookie)).body).accessToken as string;
    const state = await browser.introspect(refreshed, TEST_PLATFORM_TOKEN);
    // The default idle timeout (SSO_SESSION_IDLE_TIMEOUT_SECONDS) is an hour from the last token.
    expect(Date.parse(state.sessionIdleUntil!) - Date.now()).toBeGreaterThan(3_500_000);
    // An hour and a minute without a token, as if the employee had closed the app.
    await stack.sso!.infrastructure.dataSource.query(`UPDATE sso.sessions SET last_active_at = now() - interval '61 minutes' WHERE user_id = $1`, [user.userId]);
    for (const token of [...user.tokens, refreshed]) expect(await browser.introspect(token, TEST_PLATFORM_TOKEN)).toEqual({ active: false });
    expect((await browser.token(cookie)).status).toBe(401);
    // Signing in again starts a new session.
    const again = (await browser.postResponse(azureResponse(azure, user.userName))).sessionCookie!;
    expect((await browser.token(again)).status).toBe(200);
  });

  it('ends the company’s sessions at once when it removes a certificate (a leaked key) or switches SSO off, and not for a rollover', async () => {
    const company = await stack.tenant();
    const idp = azureTenant();
    await configureSso(stack, company, idp);
    const api = (method: string, path: string, body?: unknown) => stack.admin(stack.ssoBase, method, `/api/v1/tenants/${company.tenantId}/sso${path}`, company.adminToken, body);
    const userName = `trust.${randomUUID().slice(0, 8)}@contoso.com`;
    await scimClient(company)('POST', '/Users', azureRequests.createUser(userName));
    await waitForLoginAccount(stack, userName);
    const signIn = async (signer: AzureTenant) => {
      const cookie = (await browser.postResponse(azureResponse(signer, userName))).sessionCookie!;
      const token = JSON.parse((await browser.token(cookie)).body).accessToken as string;
      expect(await browser.introspect(token, TEST_PLATFORM_TOKEN)).toMatchObject({ active: true });
      return { cookie, token };
    };
    const first = await signIn(idp);
    // Rollover: Azure AD's next certificate is added beside the current one; nobody is signed out.
    const next = { ...idp, keys: createIdpKeys() };
    const added = await fetch(`${stack.ssoBase}/api/v1/tenants/${company.tenantId}/sso/certificates`, {
      method: 'POST',
      headers: { authorization: `Bearer ${company.adminToken}`, 'content-type': 'application/x-x509-ca-cert' },
      body: next.keys.certPem,
    });
    expect(added.status).toBe(201);
    expect(await browser.introspect(first.token, TEST_PLATFORM_TOKEN)).toMatchObject({ active: true });
    // The old key is withdrawn: what was signed in on it ends with the request that removes it.
    expect((await api('DELETE', `/certificates/${idp.keys.thumbprint}`)).status).toBe(200);
    expect(await browser.introspect(first.token, TEST_PLATFORM_TOKEN)).toMatchObject({ active: false });
    expect((await browser.token(first.cookie)).status).toBe(401);
    const second = await signIn(next);
    expect((await api('PUT', '', { enabled: false, idp: 'azure-ad', signInUrl: idp.signInUrl, issuer: idp.issuer, signOutUrl: null })).status).toBe(200);
    expect(await browser.introspect(second.token, TEST_PLATFORM_TOKEN)).toMatchObject({ active: false });
    expect((await browser.token(second.cookie)).status).toBe(401);
  });
});
