import { randomUUID } from 'node:crypto';
import { deflateRawSync } from 'node:zlib';
import { azureDefaultClaims, certificateUploadSamples, createIdpKeys, eventually, logoutRequestQuery, TEST_PLATFORM_TOKEN } from '@identity/platform-testing';
import { azure as azureRequests } from '../support/azure-ad.requests';
import { IdentityStack, scimClient, type ScimTenant } from '../support/identity-stack';
import { azureResponse, azureTenant, configureSso, PUBLIC_ORIGIN, SESSION_COOKIE, SP_ENTITY_ID, ssoBrowser, waitForLoginAccount, WSIGNOUT, type AzureTenant } from '../support/sso-client';

describe('SAML sign-in with Azure AD (real PostgreSQL and Kafka, responses signed by xmlsec1)', () => {
  const stack = new IdentityStack();
  let tenant: ScimTenant;
  let azure: AzureTenant;
  let browser: ReturnType<typeof ssoBrowser>;
  let userName: string;
  let userId: string;

  beforeAll(async () => {
    await stack.start({ PUBLIC_BASE_URL: PUBLIC_ORIGIN }, { sso: true });
    browser = ssoBrowser(stack);
    tenant = await stack.tenant();
    azure = azureTenant();
    await configureSso(stack, tenant, azure);
    userName = `adele.${randomUUID().slice(0, 8)}@contoso.com`;
    userId = (await scimClient(tenant)<{ id: string }>('POST', '/Users', azureRequests.createUser(userName))).body.id;
    await waitForLoginAccount(stack, userName);
  });

  afterAll(() => stack.stop());

  it('publishes SP metadata at the entity ID, with the same URL as the reply URL', async () => {
    for (const path of ['/saml2', '/saml2/metadata']) {
      const metadata = await browser.send('GET', path);
      expect(metadata.status).toBe(200);
      expect(metadata.body).toContain(`entityID="${SP_ENTITY_ID}"`);
      expect(metadata.body).toContain(`Location="${SP_ENTITY_ID}"`);
    }
  });

  it('SP-initiated: the username finds the company, Azure gets an AuthnRequest it accepts, the response starts a session', async () => {
    const started = await browser.startSignIn(userName.toUpperCase(), '/console/users?tab=licensed');
    expect(`${started.location.origin}${started.location.pathname}`).toBe(azure.signInUrl);
    expect(started.location.searchParams.get('login_hint')).toBe(userName);
    expect(started.relayState).toBe('/console/users?tab=licensed');
    // What Azure reads: our entity ID as Issuer, our ACS, the emailAddress NameID format (the UPN), nothing it refuses.
    expect(started.request).toContain(`<saml:Issuer xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion">${SP_ENTITY_ID}</saml:Issuer>`);
    expect(started.request).toContain(`AssertionConsumerServiceURL="${SP_ENTITY_ID}"`);
    expect(started.request).toContain('Format="urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress"');
    expect(started.request).not.toContain('RequestedAuthnContext');
    expect(started.request).not.toContain('<saml:Subject');

    const signedIn = await browser.postResponse(azureResponse(azure, userName, { inResponseTo: started.requestId }), started.relayState!);
    expect(signedIn).toMatchObject({ status: 303, location: '/console/users?tab=licensed' });
    expect(signedIn.sessionCookie).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const page = await browser.send('GET', '/sso/signed-in', { cookie: signedIn.sessionCookie });
    expect(page.body).toContain(userName);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");

    // Over https the cookie is host-only (__Host-): no Domain, Path=/, Secure, HttpOnly, SameSite=Lax.
    const [setCookie] = signedIn.headers.getSetCookie();
    expect(setCookie).toMatch(new RegExp(`^${SESSION_COOKIE}=[A-Za-z0-9_-]{43}; Path=/; Expires=[^;]+; HttpOnly; Secure; SameSite=Lax$`));
    // A cookie without the prefix, as a sibling subdomain could plant one, is no session here.
    const planted = await browser.send('POST', '/sso/token', { headers: { cookie: `sso_session=${signedIn.sessionCookie}` } });
    expect(planted.status).toBe(401);
  });

  it('SP-initiated with Azure set to "Sign SAML response": the signed response vouches for its assertion', async () => {
    const started = await browser.startSignIn(userName);
    const signedIn = await browser.postResponse(azureResponse(azure, userName, { inResponseTo: started.requestId, sign: 'response' }), started.relayState!);
    expect(signedIn).toMatchObject({ status: 303, location: '/console/users' });
    expect(signedIn.sessionCookie).not.toBeNull();
  });

  it.each(['assertion', 'response', 'both'] as const)('IdP-initiated (My Apps, the Test button): accepted when Azure signs the %s', async (sign) => {
    const signedIn = await browser.postResponse(azureResponse(azure, userName, { sign }));
    expect(signedIn).toMatchObject({ status: 303, location: '/sso/signed-in' });
    expect(signedIn.sessionCookie).not.toBeNull();
  });

  it('issues short-lived ES256 access tokens that verify with the JWKS and introspect as the user', async () => {
    const { sessionCookie } = await browser.postResponse(azureResponse(azure, userName));
    const issued = JSON.parse((await browser.token(sessionCookie!)).body) as { accessToken: string; expiresIn: number; tokenType: string };
    expect(issued.tokenType).toBe('Bearer');
    expect(issued.expiresIn).toBeGreaterThan(0);
    expect(issued.expiresIn).toBeLessThanOrEqual(300);

    const [header, payload, signature] = issued.accessToken.split('.');
    const { kid } = JSON.parse(Buffer.from(header, 'base64url').toString()) as { kid: string };
    const jwks = JSON.parse((await browser.send('GET', '/sso/jwks.json')).body) as { keys: { kid: string }[] };
    const { createPublicKey, verify } = await import('node:crypto');
    const key = createPublicKey({ key: jwks.keys.find((candidate) => candidate.kid === kid) as never, format: 'jwk' });
    expect(verify('sha256', Buffer.from(`${header}.${payload}`), { key, dsaEncoding: 'ieee-p1363' }, Buffer.from(signature, 'base64url'))).toBe(true);
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as { jti: string };
    expect(claims).toMatchObject({ iss: SP_ENTITY_ID, aud: PUBLIC_ORIGIN, sub: userId, tid: tenant.tenantId, jti: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    const again = JSON.parse((await browser.token(sessionCookie!)).body) as { accessToken: string };
    expect(JSON.parse(Buffer.from(again.accessToken.split('.')[1], 'base64url').toString()).jti).not.toBe(claims.jti);

    expect(await browser.introspect(issued.accessToken, TEST_PLATFORM_TOKEN)).toMatchObject({ active: true, sub: userId, tenantId: tenant.tenantId, jti: claims.jti });
    expect((await browser.send('POST', '/sso/introspect', { body: JSON.stringify({ token: issued.accessToken }), headers: { 'content-type': 'application/json' } })).status).toBe(401);
    expect(await browser.introspect(`${issued.accessToken.slice(0, -4)}AAAA`, TEST_PLATFORM_TOKEN)).toEqual({ active: false });
    expect((await browser.token('not-a-session')).status).toBe(401);
  });

  it('logout ends the session and sends the browser to the sign-out URL that avoids AADSTS750054', async () => {
    const { sessionCookie } = await browser.postResponse(azureResponse(azure, userName));
    const token = JSON.parse((await browser.token(sessionCookie!)).body).accessToken as string;
    const loggedOut = await browser.send('POST', '/sso/logout', { cookie: sessionCookie });
    expect(loggedOut).toMatchObject({ status: 303, location: WSIGNOUT });
    expect(await browser.introspect(token, TEST_PLATFORM_TOKEN)).toEqual({ active: false });
    expect((await browser.token(sessionCookie!)).status).toBe(401);
  });

  it('a client that sends a body where none is needed (JSON to /sso/token or /sso/logout) is served as without it', async () => {
    const { sessionCookie } = await browser.postResponse(azureResponse(azure, userName));
    const json = { body: '{}', headers: { 'content-type': 'application/json' } };
    const issued = await browser.send('POST', '/sso/token', { cookie: sessionCookie, ...json });
    expect(issued.status).toBe(200);
    const token = JSON.parse(issued.body).accessToken as string;
    expect(await browser.send('POST', '/sso/logout', { cookie: sessionCookie, ...json })).toMatchObject({ status: 303, location: WSIGNOUT });
    expect(await browser.introspect(token, TEST_PLATFORM_TOKEN)).toEqual({ active: false });
  });

  it('a sign-out link on another site only shows a button; our own link signs out at once', async () => {
    const { sessionCookie } = await browser.postResponse(azureResponse(azure, userName));
    const token = JSON.parse((await browser.token(sessionCookie!)).body).accessToken as string;
    for (const site of ['cross-site', 'same-site', undefined]) {
      const page = await browser.send('GET', '/sso/logout', { cookie: sessionCookie, headers: site ? { 'sec-fetch-site': site } : {} });
      expect(page).toMatchObject({ status: 200, body: expect.stringContaining('<form method="post" action="/sso/logout">') });
      expect(await browser.introspect(token, TEST_PLATFORM_TOKEN)).toMatchObject({ active: true });
    }
    const ours = await browser.send('GET', '/sso/logout', { cookie: sessionCookie, headers: { 'sec-fetch-site': 'same-origin' } });
    expect(ours).toMatchObject({ status: 303, location: WSIGNOUT });
    expect(await browser.introspect(token, TEST_PLATFORM_TOKEN)).toEqual({ active: false });
  });

  it('an IdP logout request that arrives without our cookie (from a frame of Azure AD’s sign-out page) ends the user’s sessions only when the company’s IdP signed it', async () => {
    const { sessionCookie } = await browser.postResponse(azureResponse(azure, userName));
    const other = await browser.postResponse(azureResponse(azure, userName));
    const tokens = [sessionCookie!, other.sessionCookie!].map(async (cookie) => JSON.parse((await browser.token(cookie)).body).accessToken as string);
    const [first, second] = await Promise.all(tokens);
    const message = { issuer: azure.issuer, nameId: userName };
    // Unsigned, signed by someone else's key, or signed for another service: nothing ends.
    for (const query of [logoutRequestQuery(message), logoutRequestQuery({ ...message, keys: createIdpKeys() }), logoutRequestQuery({ ...message, keys: azure.keys, destination: 'https://evil.example/logout' })]) {
      expect(await browser.send('GET', `/sso/logout?${query}`)).toMatchObject({ status: 303, location: '/sso/signed-out' });
      for (const token of [first, second]) expect(await browser.introspect(token, TEST_PLATFORM_TOKEN)).toMatchObject({ active: true });
    }
    const signed = logoutRequestQuery({ ...message, keys: azure.keys });
    expect(await browser.send('GET', `/saml2?${signed}`)).toMatchObject({ status: 303, location: '/sso/signed-out' });
    for (const token of [first, second]) expect(await browser.introspect(token, TEST_PLATFORM_TOKEN)).toEqual({ active: false });
    // The same request again (replayed) ends a newer session of the user no more.
    const later = await browser.postResponse(azureResponse(azure, userName));
    await browser.send('GET', `/saml2?${signed}`);
    expect((await browser.token(later.sessionCookie!)).status).toBe(200);
    // Azure AD's logout messages name the tenant as login.microsoftonline.com does, not as its assertions do.
    const logoutIssuer = azure.issuer.replace('https://sts.windows.net/', 'https://login.microsoftonline.com/');
    expect(await browser.send('GET', `/saml2?${logoutRequestQuery({ issuer: logoutIssuer, nameId: userName, keys: azure.keys })}`)).toMatchObject({ status: 303, location: '/sso/signed-out' });
    expect((await browser.token(later.sessionCookie!)).status).toBe(401);
  });

  it('an IdP logout message ends the session at once only when the company’s IdP signed it; an unsigned one asks first; a deflate bomb is cut off', async () => {
    const { sessionCookie } = await browser.postResponse(azureResponse(azure, userName));
    const token = JSON.parse((await browser.token(sessionCookie!)).body).accessToken as string;
    const message = { issuer: azure.issuer, nameId: userName };
    // Any page could link to these: unsigned, signed by someone else's key, or by the company's IdP for another user, long ago, in the future or for another service.
    for (const query of [
      logoutRequestQuery(message),
      logoutRequestQuery({ ...message, keys: createIdpKeys() }),
      logoutRequestQuery({ ...message, keys: azure.keys, nameId: `someone.else@contoso.com` }),
      logoutRequestQuery({ ...message, keys: azure.keys, issuedAt: new Date(Date.now() - 60 * 60_000) }),
      logoutRequestQuery({ ...message, keys: azure.keys, issuedAt: new Date(Date.now() + 10 * 60_000) }),
      logoutRequestQuery({ ...message, keys: azure.keys, destination: 'https://evil.example/logout' }),
    ]) {
      for (const path of ['/saml2', '/sso/logout']) {
        const page = await browser.send('GET', `${path}?${query}`, { cookie: sessionCookie });
        expect(page).toMatchObject({ status: 200, body: expect.stringContaining('<form method="post" action="/sso/logout">') });
        expect(await browser.introspect(token, TEST_PLATFORM_TOKEN)).toMatchObject({ active: true });
      }
    }
    // At the Logout URL admins give Azure AD, and at the entity ID.
    const loggedOut = await browser.send('GET', `/sso/logout?${logoutRequestQuery({ ...message, keys: azure.keys })}`, { cookie: sessionCookie });
    expect(loggedOut).toMatchObject({ status: 303, location: '/sso/signed-out' });
    expect(await browser.introspect(token, TEST_PLATFORM_TOKEN)).toEqual({ active: false });
    const another = await browser.postResponse(azureResponse(azure, userName));
    const signedOnce = logoutRequestQuery({ ...message, keys: azure.keys, relayState: '/console' });
    const atEntityId = await browser.send('GET', `/saml2?${signedOnce}`, { cookie: another.sessionCookie });
    expect(atEntityId).toMatchObject({ status: 303, location: '/sso/signed-out' });
    expect((await browser.token(another.sessionCookie!)).status).toBe(401);
    // The same signed message again (a link someone kept) only asks.
    const third = await browser.postResponse(azureResponse(azure, userName));
    expect(await browser.send('GET', `/saml2?${signedOnce}`, { cookie: third.sessionCookie })).toMatchObject({ status: 200, body: expect.stringContaining('Sign out?') });
    expect((await browser.token(third.sessionCookie!)).status).toBe(200);

    // 8 MB of XML-ish text in a query string short enough for any proxy (about 11 KB).
    const bomb = deflateRawSync(Buffer.alloc(8 * 1024 * 1024, 0x41)).toString('base64');
    expect(bomb.length).toBeLessThan(16 * 1024);
    const refused = await browser.send('GET', `/saml2?SAMLRequest=${encodeURIComponent(bomb)}`);
    expect(refused.status).toBe(413);
    expect(refused.body).toContain('too large');
  });

  it('refuses a user who is not in the company, and one who is deactivated, with a page that says what to do', async () => {
    const stranger = await browser.postResponse(azureResponse(azure, `nobody.${randomUUID().slice(0, 8)}@contoso.com`));
    expect(stranger.status).toBe(403);
    expect(stranger.sessionCookie).toBeNull();
    expect(stranger.body).toContain('Contact your administrator');

    const unknown = await browser.send('POST', '/sso/login', { form: { username: 'nobody@nowhere.example' } });
    expect(unknown.status).toBe(403);
  });

  it('the sign-in page answers a user of a company without SSO as it answers an unknown username: only a user who can sign in is told apart', async () => {
    const company = await stack.tenant();
    const name = `no.sso.${randomUUID().slice(0, 8)}@contoso.com`;
    expect((await scimClient(company)('POST', '/Users', azureRequests.createUser(name))).status).toBe(201);
    await waitForLoginAccount(stack, name);
    const page = async (username: string) => {
      const answer = await browser.send('POST', '/sso/login', { form: { username } });
      return { status: answer.status, body: answer.body.replace(/Reference: [^<]*/, 'Reference: …').replace(/nonce-[^']+'|nonce="[^"]+"/g, 'nonce') };
    };
    const known = await page(name);
    expect(known.status).toBe(403);
    expect(known).toEqual(await page(`nobody.${randomUUID().slice(0, 8)}@contoso.com`));
    // A mistyped username is the commonest cause: the page leads back to the form.
    expect(known.body).toContain('<a href="/sso/login">Back to sign-in</a>');
  });

  it('companies sharing one Azure AD (issuer and certificate): an unsolicited response signs in to the company that has the user, though another deleted the same name', async () => {
    const [first, second] = [await stack.tenant(), await stack.tenant()];
    const shared = azureTenant();
    await configureSso(stack, first, shared);
    await configureSso(stack, second, shared);
    const accountIn = async (company: ScimTenant, name: string) =>
      (await stack.sso!.infrastructure.dataSource.query(`SELECT status FROM sso.login_accounts WHERE tenant_id = $1 AND user_name = $2`, [company.tenantId, name]))[0]?.status as string | undefined;
    const name = `moved.${randomUUID().slice(0, 8)}@contoso.com`;
    const created = await scimClient(first)<{ id: string }>('POST', '/Users', azureRequests.createUser(name));
    await eventually(async () => expect(await accountIn(first, name)).toBe('active'));
    const before = await browser.postResponse(azureResponse(shared, name));
    expect(before.status).toBe(303);
    expect(JSON.parse(Buffer.from((JSON.parse((await browser.token(before.sessionCookie!)).body).accessToken as string).split('.')[1], 'base64url').toString()).tid).toBe(first.tenantId);

    // The first company deletes the user (the name is free again) and the second provisions it.
    expect((await stack.admin(stack.directoryUrl, 'DELETE', `/api/v1/tenants/${first.tenantId}/users/${created.body.id}`, first.adminToken)).status).toBe(204);
    await eventually(async () => expect(await accountIn(first, name)).toBe('deleted'));
    expect((await scimClient(second)('POST', '/Users', azureRequests.createUser(name))).status).toBe(201);
    await eventually(async () => expect(await accountIn(second, name)).toBe('active'));

    const after = await browser.postResponse(azureResponse(shared, name));
    expect(after.status).toBe(303);
    expect(JSON.parse(Buffer.from((JSON.parse((await browser.token(after.sessionCookie!)).body).accessToken as string).split('.')[1], 'base64url').toString()).tid).toBe(second.tenantId);
  });

  it('an unsolicited response is refused while two companies sharing its issuer and certificate both hold the name (a rename not yet seen)', async () => {
    const [first, second] = [await stack.tenant(), await stack.tenant()];
    const shared = azureTenant();
    await configureSso(stack, first, shared);
    await configureSso(stack, second, shared);
    const name = `twice.${randomUUID().slice(0, 8)}@contoso.com`;
    expect((await scimClient(first)('POST', '/Users', azureRequests.createUser(name))).status).toBe(201);
    await waitForLoginAccount(stack, name);
    expect((await browser.postResponse(azureResponse(shared, name))).status).toBe(303);
    // The second company's user of that name, as sign-in sees it before the first company's rename reaches it.
    const db = stack.sso!.infrastructure.dataSource;
    await db.query(`INSERT INTO sso.login_accounts (user_id, tenant_id, user_name, status, updated_at) VALUES ($1, $2, $3, 'active', now())`, [randomUUID(), second.tenantId, name]);
    const refused = await browser.postResponse(azureResponse(shared, name));
    expect({ status: refused.status, session: refused.sessionCookie }).toEqual({ status: 403, session: null });
  });

  it('an unsolicited response reaches the user’s company however many others name the same issuer (and certificate)', async () => {
    const company = await stack.tenant();
    const shared = azureTenant();
    await configureSso(stack, company, shared);
    const name = `crowded.${randomUUID().slice(0, 8)}@contoso.com`;
    expect((await scimClient(company)('POST', '/Users', azureRequests.createUser(name))).status).toBe(201);
    await waitForLoginAccount(stack, name);
    const db = stack.sso!.infrastructure.dataSource;
    // Twenty more companies (any admin can type in a public issuer); the user's company's row written last.
    await db.query(
      `INSERT INTO sso.configurations (tenant_id, enabled, idp, sign_in_url, issuer, sign_out_url, certificates, updated_at)
       SELECT gen_random_uuid(), enabled, idp, sign_in_url, issuer, sign_out_url, certificates, now() FROM sso.configurations, generate_series(1, 20) WHERE tenant_id = $1`,
      [company.tenantId],
    );
    await db.query(`UPDATE sso.configurations SET updated_at = now() WHERE tenant_id = $1`, [company.tenantId]);
    try {
      const signedIn = await browser.postResponse(azureResponse(shared, name));
      expect(signedIn.status).toBe(303);
      expect(JSON.parse(Buffer.from((JSON.parse((await browser.token(signedIn.sessionCookie!)).body).accessToken as string).split('.')[1], 'base64url').toString()).tid).toBe(company.tenantId);
    } finally {
      await db.query(`DELETE FROM sso.configurations WHERE issuer = $1 AND tenant_id <> $2`, [shared.issuer, company.tenantId]);
    }
  });

  describe('certificate upload', () => {
    let samples: ReturnType<typeof certificateUploadSamples>;
    beforeAll(() => {
      samples = certificateUploadSamples(azure.keys);
    });

    it('accepts the Base64 download and shows subject, thumbprint and expiry', async () => {
      const configured = await stack.admin<{ certificates: Record<string, unknown>[]; serviceProvider: Record<string, string> }>(
        stack.ssoBase,
        'GET',
        `/api/v1/tenants/${tenant.tenantId}/sso`,
        tenant.adminToken,
      );
      expect(configured.body.certificates).toEqual([
        expect.objectContaining({ subject: 'CN=Microsoft Azure Federated SSO Certificate', thumbprint: azure.keys.thumbprint, expiresSoon: false }),
      ]);
      expect(configured.body.certificates[0]).not.toHaveProperty('pem');
      expect(configured.body.serviceProvider).toMatchObject({ entityId: SP_ENTITY_ID, replyUrl: SP_ENTITY_ID });
    });

    it.each([
      ['der', 'der', 'Certificate (Raw)'],
      ['pfx', 'pfx', 'PFX'],
      ['p7bPem', 'pkcs7', 'PKCS#7'],
      ['p7bDer', 'pkcs7', 'PKCS#7'],
      ['privateKey', 'private-key', 'private key'],
      ['metadataXml', 'metadata-xml', 'Federation Metadata XML'],
      ['twoCertificatesPem', 'several-certificates', 'one certificate per file'],
      ['expiredPem', 'expired', 'expired'],
    ] as const)('refuses %s, naming it and pointing to "Certificate (Base64)"', async (sample, reason, words) => {
      const upload = samples[sample];
      const response = await fetch(`${stack.ssoBase}/api/v1/tenants/${tenant.tenantId}/sso/certificates`, {
        method: 'POST',
        headers: { authorization: `Bearer ${tenant.adminToken}`, 'content-type': 'application/octet-stream' },
        body: new Uint8Array(upload),
      });
      const problem = (await response.json()) as { reason: string; detail: string };
      expect(response.status).toBe(422);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
      expect(problem.reason).toBe(reason);
      expect(problem.detail).toContain(words);
    });
  });

  it('an employee holding the company’s admin app role gets an access token the admin APIs accept for that company only', async () => {
    const settings = { enabled: true, idp: 'azure-ad', signInUrl: azure.signInUrl, issuer: azure.issuer, signOutUrl: WSIGNOUT, adminRole: 'Console.Admin' };
    expect((await stack.admin(stack.ssoBase, 'PUT', `/api/v1/tenants/${tenant.tenantId}/sso`, tenant.adminToken, settings)).body).toMatchObject({ adminRole: 'Console.Admin' });
    const roles = (values: string[]) => ({ ...azureDefaultClaims({ issuer: azure.issuer, nameId: userName }), 'http://schemas.microsoft.com/ws/2008/06/identity/claims/role': values });
    const tokenOf = async (values: string[]) => {
      const { sessionCookie } = await browser.postResponse(azureResponse(azure, userName, { attributes: roles(values) }));
      return JSON.parse((await browser.token(sessionCookie!)).body).accessToken as string;
    };
    const admin = await tokenOf(['Reader', 'Console.Admin']);
    expect((await stack.admin(stack.ssoBase, 'GET', `/api/v1/tenants/${tenant.tenantId}/sso`, admin)).status).toBe(200);
    expect((await stack.admin(stack.directoryUrl, 'GET', `/api/v1/tenants/${tenant.tenantId}/users`, admin)).status).toBe(200);
    expect((await stack.admin(stack.scimBase, 'GET', `/api/v1/tenants/${tenant.tenantId}/provisioning`, admin)).status).toBe(200);
    expect((await stack.admin(stack.directoryUrl, 'GET', `/api/v1/tenants/${randomUUID()}/users`, admin)).status).toBe(404);
    expect((await stack.admin(stack.directoryUrl, 'POST', '/api/v1/tenants', admin, { name: 'Not allowed' })).status).toBe(403);

    const employee = await tokenOf(['Reader']);
    expect((await stack.admin(stack.directoryUrl, 'GET', `/api/v1/tenants/${tenant.tenantId}/users`, employee)).status).toBe(401);
    const forged = `${admin.split('.').slice(0, 2).join('.')}.${Buffer.alloc(64).toString('base64url')}`;
    expect((await stack.admin(stack.ssoBase, 'GET', `/api/v1/tenants/${tenant.tenantId}/sso`, forged)).status).toBe(401);
    await stack.admin(stack.ssoBase, 'PUT', `/api/v1/tenants/${tenant.tenantId}/sso`, tenant.adminToken, { ...settings, adminRole: null });
  });

  it('a sign-in makes a console admin for an hour only: Azure AD never tells us the role was taken away, so the console signs the admin in again', async () => {
    const settings = { enabled: true, idp: 'azure-ad', signInUrl: azure.signInUrl, issuer: azure.issuer, signOutUrl: WSIGNOUT, adminRole: 'Console.Admin' };
    await stack.admin(stack.ssoBase, 'PUT', `/api/v1/tenants/${tenant.tenantId}/sso`, tenant.adminToken, settings);
    try {
      const attributes = { ...azureDefaultClaims({ issuer: azure.issuer, nameId: userName }), 'http://schemas.microsoft.com/ws/2008/06/identity/claims/role': ['Console.Admin'] };
      const { sessionCookie } = await browser.postResponse(azureResponse(azure, userName, { attributes }));
      const first = JSON.parse((await browser.token(sessionCookie!)).body) as { accessToken: string; adminSignInExpired?: boolean };
      const users = (token: string) => stack.admin(stack.directoryUrl, 'GET', `/api/v1/tenants/${tenant.tenantId}/users`, token);
      expect((await users(first.accessToken)).status).toBe(200);
      expect(first).not.toHaveProperty('adminSignInExpired');
      // An hour and a minute later (SSO_CONSOLE_ADMIN_TTL_SECONDS), the session still in use.
      await stack.sso!.infrastructure.dataSource.query(
        `UPDATE sso.sessions SET created_at = created_at - interval '61 minutes' WHERE session_id = (SELECT session_id FROM sso.sessions WHERE user_name = $1 ORDER BY created_at DESC LIMIT 1)`,
        [userName],
      );
      const later = await browser.token(sessionCookie!);
      expect(later.status).toBe(200);
      const renewed = JSON.parse(later.body) as { accessToken: string; adminSignInExpired?: boolean };
      expect(renewed.adminSignInExpired).toBe(true);
      expect(JSON.parse(Buffer.from(renewed.accessToken.split('.')[1], 'base64url').toString())).not.toHaveProperty('adm');
      // The admin token issued before opens nothing more either (the admin APIs ask introspection, cached up to 2 s).
      await eventually(async () => expect((await users(first.accessToken)).status).toBe(401));
      expect(await browser.introspect(first.accessToken, TEST_PLATFORM_TOKEN)).toMatchObject({ active: true, consoleAdmin: false });
    } finally {
      await stack.admin(stack.ssoBase, 'PUT', `/api/v1/tenants/${tenant.tenantId}/sso`, tenant.adminToken, { ...settings, adminRole: null });
    }
  });

  it('a console admin’s access token stops opening the admin APIs once the session ends or the company clears the admin role', async () => {
    const settings = { enabled: true, idp: 'azure-ad', signInUrl: azure.signInUrl, issuer: azure.issuer, signOutUrl: WSIGNOUT, adminRole: 'Console.Admin' };
    await stack.admin(stack.ssoBase, 'PUT', `/api/v1/tenants/${tenant.tenantId}/sso`, tenant.adminToken, settings);
    const attributes = { ...azureDefaultClaims({ issuer: azure.issuer, nameId: userName }), 'http://schemas.microsoft.com/ws/2008/06/identity/claims/role': ['Console.Admin'] };
    const signIn = async () => {
      const { sessionCookie } = await browser.postResponse(azureResponse(azure, userName, { attributes }));
      return { cookie: sessionCookie!, token: JSON.parse((await browser.token(sessionCookie!)).body).accessToken as string };
    };
    const users = (token: string) => stack.admin(stack.directoryUrl, 'GET', `/api/v1/tenants/${tenant.tenantId}/users`, token);
    /** How long after `since` the admin API took to refuse the token (it answers from a cache of at most 2 s). */
    const msUntilRefused = async (token: string, since: number) => {
      while ((await users(token)).status !== 401) {
        if (Date.now() - since > 10_000) throw new Error('the admin API still takes the token 10 s later');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      return Date.now() - since;
    };

    const signedOut = await signIn();
    expect((await users(signedOut.token)).status).toBe(200);
    // A signed-in admin cannot mint a credential (an API token, a SCIM token, a certificate to trust): it would outlive the session, and the admin's deactivation.
    for (const [base, method, path, body] of [
      [stack.directoryUrl, 'POST', '/admin-tokens', { label: 'from a session' }],
      [stack.scimBase, 'POST', '/provisioning/scim/token', {}],
      [stack.ssoBase, 'POST', '/sso/certificates', azure.keys.certPem],
      [stack.ssoBase, 'PUT', '/sso', { ...settings, certificateFile: Buffer.from(azure.keys.certPem).toString('base64') }],
    ] as const) {
      const minted = await stack.admin(base, method, `/api/v1/tenants/${tenant.tenantId}${path}`, signedOut.token, body);
      expect({ path, status: minted.status, detail: minted.body.detail }).toEqual({ path, status: 403, detail: expect.stringContaining('outlive') });
    }
    expect((await stack.admin(stack.directoryUrl, 'GET', `/api/v1/tenants/${tenant.tenantId}/admin-tokens`, signedOut.token)).status).toBe(200);
    const signOutAt = Date.now();
    await browser.send('POST', '/sso/logout', { cookie: signedOut.cookie });
    expect(await msUntilRefused(signedOut.token, signOutAt)).toBeLessThan(5_000);

    const demoted = await signIn();
    expect((await users(demoted.token)).status).toBe(200);
    const clearedAt = Date.now();
    await stack.admin(stack.ssoBase, 'PUT', `/api/v1/tenants/${tenant.tenantId}/sso`, tenant.adminToken, { ...settings, adminRole: null });
    expect(await msUntilRefused(demoted.token, clearedAt)).toBeLessThan(5_000);
    // A changed admin role ends the console admins' sessions: the employee signs in again, without the admin claim.
    expect((await browser.token(demoted.cookie)).status).toBe(401);
    const again = await signIn();
    expect(JSON.parse(Buffer.from(again.token.split('.')[1], 'base64url').toString()).adm).toBeUndefined();
    expect((await users(again.token)).status).toBe(401);
  });

  it('the sign-in URL must be https', async () => {
    const response = await stack.admin(stack.ssoBase, 'PUT', `/api/v1/tenants/${tenant.tenantId}/sso`, tenant.adminToken, {
      enabled: true,
      idp: 'azure-ad',
      signInUrl: 'http://login.microsoftonline.com/x/saml2',
      issuer: azure.issuer,
      signOutUrl: null,
    });
    expect(response).toMatchObject({ status: 400, body: { title: 'invalid-url' } });
  });
});
