import { DOMParser } from '@xmldom/xmldom';
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import {
  AZURE_CLAIMS,
  azureResponseXml,
  certificateUploadSamples,
  createIdpKeys,
  disposeIdpKeys,
  pemBody,
  postBinding,
  SAML_ASSERTION_NS,
  SAML_PROTOCOL_NS,
  verifiesWithXmlsec,
  XMLDSIG_NS,
  type AzureResponseOptions,
  type IdpKeys,
} from './azure-ad-test-idp';
import {
  commentInNameId,
  deflateBomb,
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
  xswSignedInExtensions,
  type WrapOptions,
} from './saml-attacks';

const TENANT = '8d3e4c1a-7f2b-4e9d-a6c5-1b0f9e8d7c6a';
const ISSUER = `https://sts.windows.net/${TENANT}/`;
const SP = 'https://sso.8x8.com/saml2';
const EVIL = 'admin@contoso.com';
const recorded = readFileSync(join(__dirname, 'fixtures/entra-response-2019.xml'), 'utf8');

let keys: IdpKeys;
let attacker: IdpKeys;
beforeAll(() => {
  keys = createIdpKeys();
  attacker = createIdpKeys();
}, 60_000);
afterAll(() => [keys, attacker].forEach(disposeIdpKeys));

const response = (options: Partial<AzureResponseOptions> = {}): string =>
  azureResponseXml({ keys, issuer: ISSUER, nameId: 'adele.vance@contoso.com', audience: SP, recipient: SP, inResponseTo: '_4f1c9a0b2d3e', ...options });
// @xmldom/xmldom 0.8 types its nodes with the DOM lib's interfaces, which its typings pull in.
type XmlElement = Element;
const parse = (xml: string): Document => new DOMParser().parseFromString(xml, 'text/xml');
const childElements = (parent: XmlElement, localName: string): XmlElement[] =>
  Array.from(parent.childNodes).filter((node): node is XmlElement => node.nodeType === 1 && (node as XmlElement).localName === localName);
const all = (xml: string, namespace: string, localName: string): XmlElement[] => Array.from(parse(xml).getElementsByTagNameNS(namespace, localName));
const nameIdOf = (assertion: XmlElement): string | null => childElements(childElements(assertion, 'Subject')[0], 'NameID')[0].textContent;
const assertionText = (xml: string): string => xml.slice(xml.indexOf('<Assertion '), xml.indexOf('</Assertion>') + '</Assertion>'.length);
/** Element names with their attribute names, in document order; repeated siblings count once. */
const shape = (xml: string): string[] =>
  Array.from(xml.matchAll(/<([\w:]+)((?:\s+[\w:]+="[^"]*")*)\s*\/?>/g), ([, name, attributes]) => `${name}(${Array.from(attributes.matchAll(/([\w:]+)=/g), (match) => match[1]).join(' ')})`).filter(
    (tag, index, tags) => tag !== tags[index - 1],
  );
const openssl = (args: string[], input?: Buffer): string => execFileSync('openssl', args, { input, stdio: ['pipe', 'pipe', 'pipe'] }).toString();

describe('Azure AD test IdP', () => {
  it('makes a self-signed RSA-2048 certificate like Entra’s, with its key and thumbprint', () => {
    const cert = new X509Certificate(keys.certPem);
    expect(cert.subject).toBe('CN=Microsoft Azure Federated SSO Certificate');
    expect(cert.issuer).toBe(cert.subject);
    expect(cert.publicKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
    expect((Date.parse(cert.validTo) - Date.parse(cert.validFrom)) / 86_400_000).toBe(1095);
    expect(cert.fingerprint256.replace(/:/g, '')).toBe(keys.thumbprint);
    expect(cert.raw.equals(keys.certDer)).toBe(true);
    expect(openssl(['x509', '-noout', '-text'], Buffer.from(keys.certPem))).toMatch(/Version: 3[\s\S]*sha256WithRSAEncryption/);
    expect(openssl(['x509', '-noout', '-text'], Buffer.from(keys.certPem))).not.toContain('X509v3');
    expect(['key.pem', 'cert.pem'].every((file) => existsSync(join(keys.dir, file)))).toBe(true);
  });

  it('backdates a certificate so that it has already expired', () => {
    const expired = createIdpKeys({ commonName: 'Expired Test', days: 30, notAfterInPastDays: 10 });
    try {
      const cert = new X509Certificate(expired.certPem);
      expect(cert.subject).toBe('CN=Expired Test');
      expect(Date.parse(cert.validTo)).toBeLessThan(Date.now() - 9 * 86_400_000);
      expect(Date.parse(cert.validFrom)).toBeLessThan(Date.parse(cert.validTo));
      expect(verifiesWithXmlsec(response({ keys: expired }), expired.certPem, 'Assertion')).toBe(true);
    } finally {
      disposeIdpKeys(expired);
    }
  });

  it('produces the files an admin uploads by mistake', () => {
    const samples = certificateUploadSamples(keys);
    expect(samples.pem.toString()).toBe(keys.certPem);
    expect(samples.der.equals(keys.certDer)).toBe(true);
    expect(openssl(['pkcs12', '-nokeys', '-passin', 'pass:test'], samples.pfx)).toContain(pemBody(keys.certPem).slice(0, 64));
    expect(samples.p7bPem.toString()).toMatch(/^-----BEGIN PKCS7-----/);
    expect(openssl(['pkcs7', '-inform', 'DER', '-print_certs'], samples.p7bDer)).toContain('subject=CN = Microsoft Azure Federated SSO Certificate');
    expect(samples.privateKey.toString()).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(samples.metadataXml.toString()).toContain(`<X509Certificate>${pemBody(keys.certPem)}</X509Certificate>`);
    expect(samples.twoCertificatesPem.toString().match(/BEGIN CERTIFICATE/g)).toHaveLength(2);
    expect(Date.parse(new X509Certificate(samples.expiredPem).validTo)).toBeLessThan(Date.now());
  });

  it('signs only the assertion, with the layout of a recorded Entra response', () => {
    const now = new Date('2026-11-30T10:00:00.123Z');
    const xml = response({ now, assertionId: '_a1', responseId: '_r1' });
    expect(verifiesWithXmlsec(xml, keys.certPem, 'Assertion')).toBe(true);
    expect(verifiesWithXmlsec(xml, keys.certPem, 'Response')).toBe(false);
    expect(xml).toMatch(/^<samlp:Response ID="_r1" Version="2.0" IssueInstant="2026-11-30T10:00:00.123Z" Destination="https:\/\/sso.8x8.com\/saml2" InResponseTo="_4f1c9a0b2d3e" xmlns:samlp=/);
    expect(xml).not.toMatch(/>\s+</);
    expect(shape(xml)).toEqual(shape(recorded));
    expect(xml).toContain('<SubjectConfirmationData InResponseTo="_4f1c9a0b2d3e" NotOnOrAfter="2026-11-30T10:05:00.123Z" Recipient="https://sso.8x8.com/saml2"/>');
    expect(xml).toContain('<Conditions NotBefore="2026-11-30T09:55:00.123Z" NotOnOrAfter="2026-11-30T10:55:00.123Z">');
    expect(xml).toContain(`<Reference URI="#_a1">`);
    expect(xml).toContain(`<X509Certificate>${pemBody(keys.certPem)}</X509Certificate>`);
    expect(xml).toMatch(/<SignatureValue>[A-Za-z0-9+/=]+<\/SignatureValue>/);
    const [assertion] = all(xml, SAML_ASSERTION_NS, 'Assertion');
    expect(nameIdOf(assertion)).toBe('adele.vance@contoso.com');
    expect(Array.from(assertion.getElementsByTagNameNS(SAML_ASSERTION_NS, 'Attribute'), (attribute) => attribute.getAttribute('Name'))).toEqual([
      AZURE_CLAIMS.tenantId, AZURE_CLAIMS.objectId, AZURE_CLAIMS.displayName, AZURE_CLAIMS.identityProvider, AZURE_CLAIMS.authnMethodsReferences,
      AZURE_CLAIMS.givenName, AZURE_CLAIMS.surname, AZURE_CLAIMS.emailAddress, AZURE_CLAIMS.name,
    ]);
    expect(Buffer.from(postBinding(xml), 'base64').toString('utf8')).toBe(xml);
  });

  it('leaves InResponseTo out entirely for an IdP-initiated response', () => {
    const xml = response({ inResponseTo: undefined });
    expect(xml).not.toContain('InResponseTo');
    expect(verifiesWithXmlsec(xml, keys.certPem, 'Assertion')).toBe(true);
  });

  it.each([
    ['response', false, true],
    ['both', true, true],
    ['none', false, false],
  ] as const)('signs per the "%s" setting', (sign, assertionSigned, responseSigned) => {
    const xml = response({ sign });
    expect(verifiesWithXmlsec(xml, keys.certPem, 'Assertion')).toBe(assertionSigned);
    expect(verifiesWithXmlsec(xml, keys.certPem, 'Response')).toBe(responseSigned);
    expect(all(xml, XMLDSIG_NS, 'Signature')).toHaveLength(Number(assertionSigned) + Number(responseSigned));
    if (responseSigned) expect(childElements(parse(xml).documentElement as XmlElement, 'Signature')).toHaveLength(1);
  });

  it('signs with RSA-SHA1 when the tenant chose SHA-1, and can leave KeyInfo out', () => {
    const xml = response({ algorithm: 'sha1', keyInfoCert: 'none' });
    expect(xml).toContain(`<SignatureMethod Algorithm="${XMLDSIG_NS}rsa-sha1"/>`);
    expect(xml).toContain(`<DigestMethod Algorithm="${XMLDSIG_NS}sha1"/>`);
    expect(xml).not.toContain('KeyInfo');
    expect(verifiesWithXmlsec(xml, keys.certPem, 'Assertion')).toBe(true);
  });

  it('verifies only with the pinned certificate, never with the one in KeyInfo', () => {
    const forged = response({ keys: attacker });
    expect(forged).toContain(pemBody(attacker.certPem));
    expect(verifiesWithXmlsec(forged, attacker.certPem, 'Assertion')).toBe(true);
    expect(verifiesWithXmlsec(forged, keys.certPem, 'Assertion')).toBe(false);
  });

  it('sends a failure status with an AADSTS message and no assertion', () => {
    const xml = response({ statusCode: 'urn:oasis:names:tc:SAML:2.0:status:Requester', subStatusCode: 'urn:oasis:names:tc:SAML:2.0:status:RequestDenied' });
    expect(all(xml, SAML_ASSERTION_NS, 'Assertion')).toHaveLength(0);
    expect(all(xml, XMLDSIG_NS, 'Signature')).toHaveLength(0);
    expect(Array.from(all(xml, SAML_PROTOCOL_NS, 'StatusCode'), (code) => code.getAttribute('Value'))).toEqual([
      'urn:oasis:names:tc:SAML:2.0:status:Requester',
      'urn:oasis:names:tc:SAML:2.0:status:RequestDenied',
    ]);
    expect(all(xml, SAML_PROTOCOL_NS, 'StatusMessage')[0].textContent).toMatch(/^AADSTS50105: /);
  });

  it('checks out against the recorded Entra response itself', () => {
    const embedded = pemBody(/<X509Certificate>([^<]+)</.exec(recorded)?.[1] ?? '');
    const certPem = `-----BEGIN CERTIFICATE-----\n${embedded.replace(/.{64}/g, '$&\n')}\n-----END CERTIFICATE-----\n`;
    expect(verifiesWithXmlsec(recorded, certPem, 'Assertion')).toBe(true);
    expect(verifiesWithXmlsec(tamperNameId(recorded, EVIL), certPem, 'Assertion')).toBe(false);
  });
});

describe('SAML attack mutations', () => {
  let signed: string;
  let original: string;
  let originalId: string;
  beforeAll(() => {
    signed = response({ nameId: 'adele.vance@contoso.com' });
    original = assertionText(signed);
    originalId = /ID="([^"]+)"/.exec(original)?.[1] ?? '';
  });

  const topAssertions = (xml: string): XmlElement[] => childElements(parse(xml).documentElement as XmlElement, 'Assertion');
  const withSignature = (assertion: XmlElement): boolean => childElements(assertion, 'Signature').length > 0;

  it('XSW3 puts an unsigned forged assertion before the untouched signed one', () => {
    const xml = xswPrependEvilAssertion(signed, EVIL);
    const [evil, kept] = topAssertions(xml);
    expect([nameIdOf(evil), withSignature(evil), evil.getAttribute('ID') === originalId]).toEqual([EVIL, false, false]);
    expect(kept.getAttribute('ID')).toBe(originalId);
    expect(xml).toContain(original);
    expect(verifiesWithXmlsec(xml, keys.certPem, 'Assertion', { id: originalId })).toBe(true);
  });

  it('XSW4 nests the untouched signed assertion inside the forged one', () => {
    const xml = xswEvilWrapsSigned(signed, EVIL);
    const [evil] = topAssertions(xml);
    expect(topAssertions(xml)).toHaveLength(1);
    expect([nameIdOf(evil), withSignature(evil)]).toEqual([EVIL, false]);
    expect(childElements(evil, 'Assertion')[0].getAttribute('ID')).toBe(originalId);
    expect(xml).toContain(original);
    expect(verifiesWithXmlsec(xml, keys.certPem, 'Assertion', { id: originalId })).toBe(true);
  });

  it('XSW5 edits the assertion in place and appends an untouched copy of the original', () => {
    const xml = xswAppendOriginalCopy(signed, EVIL);
    const [evil, copy] = topAssertions(xml);
    expect([nameIdOf(evil), withSignature(evil), evil.getAttribute('ID') === originalId]).toEqual([EVIL, true, false]);
    expect(copy.getAttribute('ID')).toBe(originalId);
    expect(xml.endsWith(`${original}</samlp:Response>`)).toBe(true);
    expect(verifiesWithXmlsec(xml, keys.certPem, 'Assertion', { id: originalId })).toBe(true);
  });

  it('XSW6 hides the untouched original inside the forged assertion’s Signature', () => {
    const xml = xswOriginalInsideEvilSignature(signed, EVIL);
    const [evil] = topAssertions(xml);
    expect(topAssertions(xml)).toHaveLength(1);
    expect([nameIdOf(evil), evil.getAttribute('ID') === originalId]).toEqual([EVIL, false]);
    expect(childElements(childElements(evil, 'Signature')[0], 'Assertion')[0].getAttribute('ID')).toBe(originalId);
    expect(xml).toContain(original);
    expect(verifiesWithXmlsec(xml, keys.certPem, 'Assertion', { id: originalId })).toBe(true);
    // xmlsec1's enveloped-signature transform drops everything inside the forged Signature, so that one fails.
    expect(verifiesWithXmlsec(xml, keys.certPem, 'Assertion')).toBe(false);
  });

  it('XSW7 moves the untouched original into samlp:Extensions behind a forged assertion', () => {
    const xml = xswSignedInExtensions(signed, EVIL);
    const [evil] = topAssertions(xml);
    expect(topAssertions(xml)).toHaveLength(1);
    expect([nameIdOf(evil), withSignature(evil)]).toEqual([EVIL, false]);
    const [extensions] = childElements(parse(xml).documentElement as XmlElement, 'Extensions');
    expect(extensions.namespaceURI).toBe(SAML_PROTOCOL_NS);
    expect(childElements(extensions, 'Assertion')[0].getAttribute('ID')).toBe(originalId);
    expect(xml).toContain(`<samlp:Extensions>${original}</samlp:Extensions><samlp:Status>`);
    expect(verifiesWithXmlsec(xml, keys.certPem, 'Assertion', { id: originalId })).toBe(true);
  });

  it('XSW8 tucks a forged assertion into a ds:Object of the still valid signature', () => {
    const xml = xswEvilInsideSignatureObject(signed, EVIL);
    const [kept] = topAssertions(xml);
    expect(topAssertions(xml)).toHaveLength(1);
    expect(kept.getAttribute('ID')).toBe(originalId);
    const [object] = childElements(childElements(kept, 'Signature')[0], 'Object');
    expect(object.namespaceURI).toBe(XMLDSIG_NS);
    expect(nameIdOf(childElements(object, 'Assertion')[0])).toBe(EVIL);
    expect(verifiesWithXmlsec(xml, keys.certPem, 'Assertion')).toBe(true);
  });

  const wrappers: Array<(xml: string, evilNameId: string, options?: WrapOptions) => string> = [
    xswPrependEvilAssertion,
    xswEvilWrapsSigned,
    xswAppendOriginalCopy,
    xswOriginalInsideEvilSignature,
    xswSignedInExtensions,
    xswEvilInsideSignatureObject,
  ];
  it.each(wrappers.map((wrap) => [wrap.name, wrap] as const))('%s with sameId gives the forged assertion the signed one’s ID', (_name, wrap) => {
    const xml = wrap(signed, EVIL, { sameId: true });
    const assertions = all(xml, SAML_ASSERTION_NS, 'Assertion');
    expect(assertions).toHaveLength(2);
    expect(new Set(assertions.map((assertion) => assertion.getAttribute('ID')))).toEqual(new Set([originalId]));
    expect(assertions.map(nameIdOf)).toContain(EVIL);
    // xmlsec1 refuses to load a document with a duplicate ID, so nothing verifies here.
    expect(verifiesWithXmlsec(xml, keys.certPem, 'Assertion')).toBe(false);
  });

  it('breaks the signature when the NameID is changed or the signature removed', () => {
    expect(nameIdOf(topAssertions(tamperNameId(signed, EVIL))[0])).toBe(EVIL);
    expect(verifiesWithXmlsec(tamperNameId(signed, EVIL), keys.certPem, 'Assertion')).toBe(false);
    const stripped = stripAssertionSignature(signed);
    expect(all(stripped, XMLDSIG_NS, 'Signature')).toHaveLength(0);
    expect(verifiesWithXmlsec(stripped, keys.certPem, 'Assertion')).toBe(false);
  });

  it('keeps the signature valid with a comment that truncates the NameID for a naive reader', () => {
    const xml = commentInNameId(response({ nameId: 'admin@contoso.com.evil.example' }), 'admin@contoso.com'.length);
    expect(xml).toContain('>admin@contoso.com<!---->.evil.example</NameID>');
    expect(verifiesWithXmlsec(xml, keys.certPem, 'Assertion')).toBe(true);
    const nameId = all(xml, SAML_ASSERTION_NS, 'NameID')[0];
    expect(nameId.firstChild?.nodeValue).toBe('admin@contoso.com');
    expect(nameId.textContent).toBe('admin@contoso.com.evil.example');
  });

  it('breaks the signature with a processing instruction in the NameID', () => {
    const xml = withProcessingInstructionInNameId(signed);
    expect(Array.from(all(xml, SAML_ASSERTION_NS, 'NameID')[0].childNodes, (node) => node.nodeType)).toEqual([3, 7, 3]);
    expect(verifiesWithXmlsec(xml, keys.certPem, 'Assertion')).toBe(false);
  });

  it('changes and removes unsigned Response attributes while the assertion still verifies', () => {
    const moved = setResponseAttribute(signed, 'Destination', 'https://evil.example/acs');
    expect(parse(moved).documentElement?.getAttribute('Destination')).toBe('https://evil.example/acs');
    const unsolicited = removeResponseAttribute(signed, 'InResponseTo');
    expect(parse(unsolicited).documentElement?.hasAttribute('InResponseTo')).toBe(false);
    const added = setResponseAttribute(response({ inResponseTo: undefined }), 'InResponseTo', '_other');
    expect(parse(added).documentElement?.getAttribute('InResponseTo')).toBe('_other');
    [moved, unsolicited, added].forEach((xml) => expect(verifiesWithXmlsec(xml, keys.certPem, 'Assertion')).toBe(true));
  });

  it('adds a DOCTYPE with an external entity, or with nested entities, used in the NameID', () => {
    const xxe = withDoctypeXxe(signed);
    expect(xxe.startsWith('<!DOCTYPE samlp:Response [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><samlp:Response ')).toBe(true);
    expect(xxe).toContain('>&xxe;</NameID>');
    const laughs = withEntityExpansion(signed);
    expect(laughs).toContain(`<!ENTITY lol9 "${'&lol8;'.repeat(10)}">`);
    expect(laughs).toContain('>&lol9;</NameID>');
  });

  it('pads an attribute value and builds a deflate bomb', () => {
    expect(padAttributeValue(signed, 1_000_000).length).toBe(signed.length + 1_000_000);
    const bomb = deflateBomb(10_000_000);
    expect(bomb.length).toBeLessThan(20_000);
    const inflated = inflateRawSync(Buffer.from(bomb, 'base64'));
    expect([inflated.length, inflated.every((byte) => byte === 0x41)]).toEqual([10_000_000, true]);
  });
});
