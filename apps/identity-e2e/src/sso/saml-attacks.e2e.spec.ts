import { randomUUID } from 'node:crypto';
import {
  commentInNameId,
  createIdpKeys,
  padAttributeValue,
  removeResponseAttribute,
  setResponseAttribute,
  stripAssertionSignature,
  tamperNameId,
  withDoctypeXxe,
  withEntityExpansion,
  withProcessingInstructionInNameId,
  xswAppendOriginalCopy,
  xswEvilInsideSignatureObject,
  xswEvilWrapsSigned,
  xswOriginalInsideEvilSignature,
  xswPrependEvilAssertion,
  xswResponseBeforeSignature,
  xswResponseInsideSignature,
  xswSignedInExtensions,
} from '@identity/platform-testing';
import { azure as azureRequests } from '../support/azure-ad.requests';
import { IdentityStack, scimClient, type ScimTenant } from '../support/identity-stack';
import { azureResponse, azureTenant, configureSso, PUBLIC_ORIGIN, ssoBrowser, waitForLoginAccount, type AzureTenant } from '../support/sso-client';

/**
 * Every attack in the reference list, posted to the real ACS. Each must be refused with the
 * generic error page, start no session, and leave the victim's account untouched.
 */
const OTHER_ISSUER = 'https://sts.windows.net/00000000-0000-0000-0000-000000000000/';

describe('SAML attacks are refused (real PostgreSQL and Kafka, xmlsec1-signed responses)', () => {
  const stack = new IdentityStack();
  let tenant: ScimTenant;
  let other: ScimTenant;
  let azure: AzureTenant;
  let otherAzure: AzureTenant;
  let browser: ReturnType<typeof ssoBrowser>;
  let attacker: string;
  let victim: string;

  const provision = async (company: ScimTenant, prefix: string) => {
    const userName = `${prefix}.${randomUUID().slice(0, 8)}@contoso.com`;
    await scimClient(company)('POST', '/Users', azureRequests.createUser(userName));
    return userName;
  };

  beforeAll(async () => {
    // Behind one proxy, as in a cluster: the rate-limit test speaks for several client addresses.
    await stack.start({ PUBLIC_BASE_URL: PUBLIC_ORIGIN, HTTP_TRUSTED_PROXY_HOPS: '1' }, { sso: true });
    browser = ssoBrowser(stack);
    [tenant, other] = [await stack.tenant(), await stack.tenant()];
    [azure, otherAzure] = [azureTenant(), azureTenant()];
    await configureSso(stack, tenant, azure);
    await configureSso(stack, other, otherAzure);
    attacker = await provision(tenant, 'mallory');
    victim = await provision(tenant, 'admin');
    await waitForLoginAccount(stack, attacker);
    await waitForLoginAccount(stack, victim);
  });

  afterAll(() => stack.stop());

  /** saml-auth's count of refusals per reason (its Prometheus metrics). */
  async function refusals(): Promise<Map<string, number>> {
    const text = await (await fetch(`${stack.ssoBase}/metrics`)).text();
    return new Map([...text.matchAll(/^saml_sign_ins_refused_total\{reason="([^"]+)"[^}]*\} (\d+)$/gm)].map(([, reason, count]) => [reason, Number(count)]));
  }

  /**
   * Refused with the error page, no session, nothing said about which check failed, and counted
   * under `reason` (null: refused before the ACS ran), so that a test cannot pass for another cause.
   */
  async function expectRefused(xml: string, reason: string | null, status = 403, relayState?: string) {
    const before = await refusals();
    const result = await browser.postResponse(xml, relayState);
    expect({ status: result.status, sessionCookie: result.sessionCookie }).toEqual({ status, sessionCookie: null });
    expect(result.body).toContain('Reference:');
    expect(result.body).not.toMatch(/signature|issuer|audience|recipient|InResponseTo|stack|Error:/i);
    const after = await refusals();
    const counted = [...after].filter(([name, count]) => count > (before.get(name) ?? 0)).map(([name]) => name);
    expect(counted).toEqual(reason === null ? [] : [reason]);
    return result;
  }

  const signedForAttacker = () => azureResponse(azure, attacker);

  describe('signature wrapping: the signed assertion is the attacker’s, the forged one names the victim', () => {
    it.each([
      ['XSW3: forged assertion before the signed one', (xml: string) => xswPrependEvilAssertion(xml, victim)],
      ['XSW3 with the same ID', (xml: string) => xswPrependEvilAssertion(xml, victim, { sameId: true })],
      ['XSW4: forged assertion wraps the signed one', (xml: string) => xswEvilWrapsSigned(xml, victim)],
      ['XSW4 with the same ID', (xml: string) => xswEvilWrapsSigned(xml, victim, { sameId: true })],
      ['XSW5: signed assertion altered, original copy appended', (xml: string) => xswAppendOriginalCopy(xml, victim)],
      ['XSW6: original hidden in the forged assertion’s signature', (xml: string) => xswOriginalInsideEvilSignature(xml, victim)],
      ['XSW7: signed original hidden in Extensions', (xml: string) => xswSignedInExtensions(xml, victim)],
      ['XSW7 with the same ID', (xml: string) => xswSignedInExtensions(xml, victim, { sameId: true })],
    ])('%s', async (_, wrap) => {
      await expectRefused(wrap(signedForAttacker()), 'invalid-signature');
    });

    it('XSW8: a forged assertion inside the signature’s Object is ignored: the session is the signer’s, never the victim’s', async () => {
      const result = await browser.postResponse(xswEvilInsideSignatureObject(signedForAttacker(), victim));
      if (result.status === 303) {
        const token = JSON.parse((await browser.token(result.sessionCookie!)).body).accessToken as string;
        expect(JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()).name).toBe(attacker);
      } else {
        expect(result.status).toBe(403);
      }
    });
  });

  it('comment injection in the NameID never truncates it to another user', async () => {
    // Signed for `${victim}.evil.example`; a reader that stops at the comment would see the victim.
    const crafted = `${victim}.evil.example`;
    const xml = commentInNameId(azureResponse(azure, crafted), victim.length);
    await expectRefused(xml, 'unknown-user');
  });

  it('a changed NameID breaks the signature', async () => {
    await expectRefused(tamperNameId(signedForAttacker(), victim), 'invalid-signature');
  });

  it('a response signed nowhere is refused, and so is one whose signatures no longer cover what it holds', async () => {
    await expectRefused(azureResponse(azure, victim, { sign: 'none' }), 'invalid-signature');
    // Stripping the assertion's signature breaks the response's, which covered it.
    await expectRefused(stripAssertionSignature(azureResponse(azure, victim, { sign: 'both' })), 'invalid-signature');
  });

  describe('signature wrapping of a signed Response (Azure’s "Sign SAML response")', () => {
    it.each([
      ['XSW1: signed original inside the forged Response’s Signature', xswResponseInsideSignature],
      ['XSW2: signed original before the forged Response’s Signature', xswResponseBeforeSignature],
    ])('%s', async (_, wrap) => {
      await expectRefused(wrap(azureResponse(azure, attacker, { sign: 'response' }), victim), 'invalid-signature');
    });
  });

  it('a certificate carried in KeyInfo is never trusted: the attacker’s own key and certificate are refused', async () => {
    await expectRefused(azureResponse({ ...azure, keys: createIdpKeys() }, victim), 'invalid-signature');
  });

  it('SHA-1 signatures are refused', async () => {
    await expectRefused(azureResponse(azure, attacker, { algorithm: 'sha1' }), 'weak-algorithm');
  });

  it.each([
    ['wrong issuer (another Azure tenant, properly signed)', () => azureResponse(azure, attacker, { issuer: OTHER_ISSUER }), 'unknown-tenant'],
    ['wrong audience', () => azureResponse(azure, attacker, { audience: 'https://evil.example/sp' }), 'wrong-audience'],
    ['wrong Recipient', () => azureResponse(azure, attacker, { recipient: 'https://evil.example/acs', destination: `${PUBLIC_ORIGIN}/saml2` }), 'wrong-recipient'],
    ['wrong Destination', () => setResponseAttribute(signedForAttacker(), 'Destination', 'https://evil.example/acs'), 'wrong-destination'],
    ['expired', () => azureResponse(azure, attacker, { now: new Date('2020-01-01T00:00:00Z') }), 'expired'],
    ['issued an hour from now', () => azureResponse(azure, attacker, { now: new Date(Date.now() + 3_600_000) }), 'expired'],
    ['beyond the clock skew (5 minutes ahead)', () => azureResponse(azure, attacker, { now: new Date(Date.now() + 5 * 60_000 + 5 * 60_000) }), 'expired'],
    // Unsolicited (the My Apps tile): node-saml checks the bearer window only on answers to our requests, so the
    // first is refused by our own check; the next two node-saml refuses as well (its age cap, its date parsing).
    ['unsolicited, its bearer confirmation over (issued 8 minutes ago, Entra gives 5)', () => azureResponse(azure, attacker, { now: new Date(Date.now() - 8 * 60_000) }), 'expired'],
    ['unsolicited, older than 10 minutes though the IdP gave it an hour', () => azureResponse(azure, attacker, { now: new Date(Date.now() - 13 * 60_000), bearerMinutes: 60 }), 'expired'],
    ['a bearer confirmation without NotOnOrAfter (nothing would bound a replay)', () => azureResponse(azure, attacker, { bearerMinutes: null }), 'expired'],
    ['an InResponseTo we never issued', () => azureResponse(azure, attacker, { inResponseTo: '_never-issued' }), 'unknown-request'],
    // Shapes Entra never sends: the rules the library leaves to us hold for them too.
    ['a bearer confirmation not valid yet (NotBefore ten minutes ahead)', () => azureResponse(azure, attacker, { subjectConfirmations: [{ notBefore: new Date(Date.now() + 10 * 60_000) }] }), 'expired'],
    ['no bearer confirmation (holder-of-key only)', () => azureResponse(azure, attacker, { subjectConfirmations: [{ method: 'urn:oasis:names:tc:SAML:2.0:cm:holder-of-key' }] }), 'wrong-recipient'],
    ['a second bearer confirmation for another Recipient', () => azureResponse(azure, attacker, { subjectConfirmations: [{}, { recipient: 'https://evil.example/acs' }] }), 'wrong-recipient'],
    [
      'status not Success (AADSTS error)',
      () => azureResponse(azure, attacker, { statusCode: 'urn:oasis:names:tc:SAML:2.0:status:Requester', statusMessage: 'AADSTS50105: not assigned' }),
      'idp-error',
    ],
  ])('%s', async (_, build, reason) => {
    await expectRefused(build(), reason);
  });

  it('a properly signed answer to our request with another issuer in the assertion is refused (the request names the company)', async () => {
    const started = await browser.startSignIn(attacker);
    await expectRefused(azureResponse(azure, attacker, { issuer: OTHER_ISSUER, inResponseTo: started.requestId }), 'wrong-issuer');
  });

  it('a non-Success status is refused even when it carries a validly signed assertion (Azure leaves the Status unsigned)', async () => {
    const xml = signedForAttacker();
    await expectRefused(xml.replace('urn:oasis:names:tc:SAML:2.0:status:Success', 'urn:oasis:names:tc:SAML:2.0:status:Requester'), 'idp-error');
    // The untouched response is still good: the refusal came from the status alone.
    expect((await browser.postResponse(xml)).status).toBe(303);
  });

  it('a control character in the signed NameID (a tab after the username) is refused as malformed', async () => {
    await expectRefused(azureResponse(azure, `${attacker}\t`), 'malformed', 400);
  });

  it('two bearer confirmations answering different requests are refused, though one answers ours', async () => {
    const started = await browser.startSignIn(attacker);
    const xml = azureResponse(azure, attacker, { inResponseTo: started.requestId, subjectConfirmations: [{}, { inResponseTo: '_another-request' }] });
    await expectRefused(xml, 'unknown-request');
  });

  it('a Response Issuer other than the configured one is refused, though the signed assertion’s issuer is right', async () => {
    const started = await browser.startSignIn(attacker);
    const xml = azureResponse(azure, attacker, { inResponseTo: started.requestId });
    await expectRefused(xml.replace(/(<Issuer xmlns="[^"]+">)[^<]*/, `$1${OTHER_ISSUER}`), 'wrong-issuer');
  });

  it('tolerates the bounded clock skew: NotBefore one minute ahead of our clock is accepted', async () => {
    // Azure sets NotBefore five minutes before IssueInstant.
    const result = await browser.postResponse(azureResponse(azure, attacker, { now: new Date(Date.now() + 6 * 60_000) }));
    expect(result.status).toBe(303);
  });

  it('a response for one company cannot complete another company’s sign-in', async () => {
    const otherUser = await provision(other, 'bob');
    await waitForLoginAccount(stack, otherUser);
    const started = await browser.startSignIn(otherUser);
    // Signed by company A's Azure AD with A's issuer, answering company B's request.
    await expectRefused(azureResponse(azure, attacker, { inResponseTo: started.requestId }), 'invalid-signature');
    // A request is answered once: the refused attempt used it up, so B starts again, with B's own IdP.
    await expectRefused(azureResponse(otherAzure, otherUser, { inResponseTo: started.requestId }), 'unknown-request');
    const again = await browser.startSignIn(otherUser);
    expect((await browser.postResponse(azureResponse(otherAzure, otherUser, { inResponseTo: again.requestId }))).status).toBe(303);
  });

  describe('replay', () => {
    it('an IdP-initiated response works once', async () => {
      const xml = signedForAttacker();
      expect((await browser.postResponse(xml)).status).toBe(303);
      await expectRefused(xml, 'replayed');
    });

    it('an SP-initiated response works once', async () => {
      const started = await browser.startSignIn(attacker);
      const xml = azureResponse(azure, attacker, { inResponseTo: started.requestId });
      expect((await browser.postResponse(xml)).status).toBe(303);
      await expectRefused(xml, 'unknown-request');
    });

    it('an SP-initiated response stripped of the Response’s InResponseTo (unsigned) cannot pass as IdP-initiated', async () => {
      const started = await browser.startSignIn(attacker);
      await expectRefused(removeResponseAttribute(azureResponse(azure, attacker, { inResponseTo: started.requestId }), 'InResponseTo'), 'unknown-request');
      // Nor can one that answers a request we never issued.
      await expectRefused(removeResponseAttribute(azureResponse(azure, attacker, { inResponseTo: '_never-issued' }), 'InResponseTo'), 'unknown-request');
    });

    it('an SP-initiated response stripped of every InResponseTo no longer verifies', async () => {
      const started = await browser.startSignIn(attacker);
      await expectRefused(removeResponseAttribute(azureResponse(azure, attacker, { inResponseTo: started.requestId }).replace(/ InResponseTo="[^"]+"/g, ''), 'InResponseTo'), 'invalid-signature');
    });
  });

  describe('XML and size limits', () => {
    it.each([
      ['XXE (DOCTYPE with a SYSTEM entity)', () => withDoctypeXxe(signedForAttacker()), 400],
      ['entity expansion', () => withEntityExpansion(signedForAttacker()), 400],
      ['a processing instruction in the NameID', () => withProcessingInstructionInNameId(signedForAttacker()), 400],
    ])('%s', async (_, build, status) => {
      await expectRefused(build(), 'unsafe-xml', status);
    });

    it('an oversized response gets 413 before it is decoded', async () => {
      // The body parser refuses it before the ACS runs, so no reason is counted.
      await expectRefused(padAttributeValue(signedForAttacker(), 400 * 1024), null, 413);
    });

    it('a response posted as JSON (or any body but a form) gets 415 before it is read, and signs no one in', async () => {
      const samlResponse = Buffer.from(signedForAttacker()).toString('base64');
      for (const [type, body] of [
        ['application/json', JSON.stringify({ SAMLResponse: samlResponse })],
        ['text/plain', `SAMLResponse=${encodeURIComponent(samlResponse)}`],
      ]) {
        const result = await browser.send('POST', '/saml2', { body, headers: { 'content-type': type } });
        expect({ type, status: result.status, cookie: result.headers.get('set-cookie') }).toEqual({ type, status: 415, cookie: null });
        expect(result.body).toContain('Reference:');
      }
      const login = await browser.send('POST', '/sso/login', { body: JSON.stringify({ username: attacker }), headers: { 'content-type': 'application/json' } });
      expect(login.status).toBe(415);
    });

    it('an encrypted assertion (Azure AD’s "Token encryption") is refused with a page that says to turn it off', async () => {
      const encrypted = signedForAttacker().replace(/<Assertion\b[\s\S]*<\/Assertion>/, '<EncryptedAssertion xmlns="urn:oasis:names:tc:SAML:2.0:assertion"><EncryptedData xmlns="http://www.w3.org/2001/04/xmlenc#"/></EncryptedAssertion>');
      const result = await expectRefused(encrypted, 'encrypted-assertion', 400);
      expect(result.body).toContain('token encryption');
    });

    it.each([
      ['not base64', { SAMLResponse: '<Response>' }],
      ['no SAMLResponse', { RelayState: '/x' }],
    ])('%s gets the error page, never a 500, at the ACS however its path is spelled', async (_, form) => {
      for (const acs of ['/saml2', '/SAML2', '/Saml2/']) {
        const result = await browser.send('POST', acs, { form: form as Record<string, string> });
        expect({ acs, status: result.status, page: result.headers.get('content-type')?.startsWith('text/html') }).toEqual({ acs, status: 400, page: true });
        expect(result.body).toContain('Reference:');
      }
    });
  });

  it('a flood from one address gets 429 with Retry-After once past its rate, and other addresses are still served', async () => {
    const from = (address: string) => browser.send('POST', '/saml2', { form: { SAMLResponse: 'not a response' }, headers: { 'x-forwarded-for': address } });
    let limited: Awaited<ReturnType<typeof from>> | undefined;
    for (let round = 0; round < 100 && !limited; round++) {
      limited = (await Promise.all(Array.from({ length: 20 }, () => from('203.0.113.9')))).find((answer) => answer.status === 429);
    }
    expect(limited).toBeDefined();
    expect(Number(limited!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(limited!.body).toContain('Too many sign-in attempts');
    expect((await from('203.0.113.10')).status).toBe(400);
  });

  describe('input PostgreSQL cannot take (a NUL) gets the error page or the form, never a 500', () => {
    const withNul = (xml: string, attribute: string) => setResponseAttribute(xml, attribute, '_placeholder').replace('_placeholder', '_a&#0;b');
    it.each([
      ['a NUL in InResponseTo', () => withNul(signedForAttacker(), 'InResponseTo')],
      ['a NUL in the issuer', () => signedForAttacker().replace(/(<Issuer xmlns="[^"]+">)[^<]*/, '$1x&#0;')],
    ])('%s', async (_, build) => {
      await expectRefused(build(), 'malformed', 400);
    });

    it('a NUL in the username on the sign-in page', async () => {
      const result = await browser.send('POST', '/sso/login', { form: { username: 'a\u0000b@contoso.com' } });
      expect(result.status).toBe(400);
      expect(result.body).toContain('Enter your work username');
    });

    it('a session cookie that is not one of ours counts as no session', async () => {
      expect(await browser.send('GET', '/sso/signed-in', { cookie: '%E0%A4%A' })).toMatchObject({ status: 303, location: '/sso/login?relayState=%2Fsso%2Fsigned-in' });
      expect(await browser.send('POST', '/sso/logout', { cookie: '%E0%A4%A' })).toMatchObject({ status: 303, location: '/sso/signed-out' });
    });
  });

  describe('RelayState is never an open redirect', () => {
    it.each(['https://evil.example/phish', '//evil.example', '/\\evil.example', 'javascript:alert(1)', '/.//evil.example', '/%2e//evil.example', '/a/..//evil.example'])('%s falls back to our own page', async (relayState) => {
      const result = await browser.postResponse(signedForAttacker(), relayState);
      expect(result).toMatchObject({ status: 303, location: '/sso/signed-in' });
    });
  });
});
