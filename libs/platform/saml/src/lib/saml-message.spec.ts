import { deflateRawSync } from 'node:zlib';
import { createIdpKeys, logoutRequestQuery, withinHangGuard, type IdpKeys } from '@identity/platform-testing';
import { decodePostBinding, decodeRedirectBinding, SAML_LIMITS, SamlRejected, signedRedirectMessage } from './saml-message';

const response = '<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_1"/>';
const post = (xml: string) => Buffer.from(xml).toString('base64');
const redirect = (xml: string | Buffer) => deflateRawSync(xml).toString('base64');

function reasonOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    if (error instanceof SamlRejected) return error.reason;
    throw error;
  }
  return undefined;
}

describe('decodePostBinding', () => {
  it('decodes a response, with or without an XML declaration', () => {
    expect(decodePostBinding(post(response))).toBe(response);
    expect(decodePostBinding(post(`<?xml version="1.0" encoding="UTF-8"?>${response}`))).toContain('ID="_1"');
  });

  it.each([
    ['nothing', undefined, 'malformed'],
    ['not base64', '<Response/>', 'malformed'],
    ['base64 of text, not XML', post('hello'), 'malformed'],
    ['a DOCTYPE (XXE)', post(`<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>${response}`), 'unsafe-xml'],
    ['an entity declaration', post(`<?xml version="1.0"?><!ENTITY x "y">${response}`), 'unsafe-xml'],
    ['a processing instruction', post(response.replace('/>', '><?evil x?></samlp:Response>')), 'unsafe-xml'],
    ['more than the limit', 'A'.repeat(SAML_LIMITS.maxEncodedBytes + 4), 'too-large'],
    // Line breaks then a stray character, as big as the limit allows: a backtracking check blocked the process half a minute on it.
    ['a flood of line breaks that is not base64', `${'\n'.repeat(SAML_LIMITS.maxEncodedBytes - 1)}!`, 'malformed'],
  ])('refuses %s', (_, value, reason) => {
    expect(withinHangGuard(5000, () => reasonOf(() => decodePostBinding(value)))).toBe(reason);
    if (typeof value === 'string') expect(withinHangGuard(5000, () => reasonOf(() => decodeRedirectBinding(value)))).toBe(reason === 'too-large' ? 'too-large' : 'malformed');
  });

  it('takes base64 with line breaks anywhere, as some IdPs wrap it', () => {
    const wrapped = post(response).replace(/.{16}/g, '$&\r\n');
    expect(decodePostBinding(`${wrapped}\n`)).toBe(response);
  });
});

describe('decodeRedirectBinding', () => {
  it('inflates a logout message', () => {
    expect(decodeRedirectBinding(redirect('<samlp:LogoutRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"/>'))).toContain('LogoutRequest');
  });

  it('stops inflating a deflate bomb at the limit instead of allocating it all', () => {
    const bomb = redirect(Buffer.alloc(50 * 1024 * 1024, 0x41));
    expect(bomb.length).toBeLessThan(SAML_LIMITS.maxEncodedBytes);
    expect(reasonOf(() => decodeRedirectBinding(bomb))).toBe('too-large');
  });

  it('refuses data that is not DEFLATE', () => {
    expect(reasonOf(() => decodeRedirectBinding(post(response)))).toBe('malformed');
  });
});

describe('signedRedirectMessage', () => {
  let keys: IdpKeys;
  let other: IdpKeys;
  const message = { issuer: 'https://sts.windows.net/6f1c9d0e-1b4a-4c55-9d55-3e2f0c1a2b3c/', nameId: 'ada@contoso.com' };
  const sent = (query: string) => decodeURIComponent(/(?:^|&)SAMLRequest=([^&]*)/.exec(query)![1]);

  beforeAll(() => {
    [keys, other] = [createIdpKeys(), createIdpKeys()];
  });

  it('hands back the message signed by one of the certificates, with or without RelayState', () => {
    for (const query of [logoutRequestQuery({ ...message, keys }), logoutRequestQuery({ ...message, keys, relayState: '/console?a=b c' })]) {
      const signed = signedRedirectMessage(query, [other.certPem, keys.certPem]);
      expect(signed).toEqual({ name: 'SAMLRequest', value: sent(query) });
      expect(decodeRedirectBinding(signed!.value)).toContain('<NameID');
    }
  });

  it('hands back the signed message only, whatever else the query holds under a name spelt otherwise', () => {
    const query = logoutRequestQuery({ ...message, keys });
    const smuggled = logoutRequestQuery({ ...message, nameId: 'grace@contoso.com' }).replace('SAMLRequest=', 'SAML%52equest=');
    expect(signedRedirectMessage(`${smuggled}&${query}`, [keys.certPem])).toEqual({ name: 'SAMLRequest', value: sent(query) });
  });

  it.each([
    ['unsigned', () => logoutRequestQuery(message)],
    ['signed by another key', () => logoutRequestQuery({ ...message, keys: other })],
    ['signed with SHA-1', () => logoutRequestQuery({ ...message, keys, algorithm: 'sha1' })],
    ['with a RelayState added after signing', () => `${logoutRequestQuery({ ...message, keys })}&RelayState=%2Fx`],
    ['with the message given twice', () => `SAMLRequest=AAAA&${logoutRequestQuery({ ...message, keys })}`],
    ['with a response beside the request', () => `SAMLResponse=AAAA&${logoutRequestQuery({ ...message, keys })}`],
    ['with the message changed', () => logoutRequestQuery({ ...message, keys }).replace(/^SAMLRequest=(.)/, (_, first: string) => `SAMLRequest=${first === 'A' ? 'B' : 'A'}`)],
    ['with a signature that is not URL-encoding', () => logoutRequestQuery({ ...message, keys }).replace(/Signature=.*/, 'Signature=%E0%A4%A')],
  ])('refuses a message %s', (_, query) => {
    expect(signedRedirectMessage(query(), [keys.certPem])).toBeNull();
  });
});
