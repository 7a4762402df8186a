import { execFileSync } from 'node:child_process';
import { createHash, randomUUID, sign } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateRawSync } from 'node:zlib';

/**
 * An offline stand-in for Entra ID (Azure AD) as a SAML IdP, for black-box tests of our SP.
 * It signs with the xmlsec1 and openssl command-line tools on purpose: the SP verifies with
 * xml-crypto, and a fixture signed by the library under test would prove nothing about it.
 * The shape follows a recorded Entra response (fixtures/entra-response-2019.xml).
 *
 * "Signed by an attacker" needs no helper: build the response with `createIdpKeys()` keys the
 * tenant never uploaded; Entra-style KeyInfo then carries the attacker's own certificate.
 */

export const SAML_PROTOCOL_NS = 'urn:oasis:names:tc:SAML:2.0:protocol';
export const SAML_ASSERTION_NS = 'urn:oasis:names:tc:SAML:2.0:assertion';
export const XMLDSIG_NS = 'http://www.w3.org/2000/09/xmldsig#';
export const SAML_STATUS_SUCCESS = 'urn:oasis:names:tc:SAML:2.0:status:Success';
const EXC_C14N = 'http://www.w3.org/2001/10/xml-exc-c14n#';
const EMAIL_FORMAT = 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress';
const BEARER = 'urn:oasis:names:tc:SAML:2.0:cm:bearer';
const ID_ATTRIBUTES = ['--id-attr:ID', `${SAML_PROTOCOL_NS}:Response`, '--id-attr:ID', `${SAML_ASSERTION_NS}:Assertion`];

export interface IdpKeys {
  keyPem: string;
  certPem: string;
  /** DER of the cert, for upload tests */
  certDer: Buffer;
  /** SHA-256 thumbprint, uppercase hex */
  thumbprint: string;
  /** temp dir holding key.pem, cert.pem; remove it with disposeIdpKeys */
  dir: string;
}

function run(command: string, args: readonly string[], cwd: string): Buffer {
  return execFileSync(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
}

function withTempDir<T>(work: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'azure-test-idp-'));
  try {
    return work(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function disposeIdpKeys(keys: IdpKeys): void {
  rmSync(keys.dir, { recursive: true, force: true });
}

// Entra's certificates are X.509 v3 with no extensions at all; `subjectKeyIdentifier = none`
// is how openssl is told to write v3 without adding its default SKI/AKI/basicConstraints.
const OPENSSL_CONFIG = [
  '[req]\ndistinguished_name = dn\nprompt = no\nx509_extensions = entra\n[dn]\n[entra]\nsubjectKeyIdentifier = none',
  '[ca]\ndefault_ca = selfsigned\n[selfsigned]\ndatabase = index.txt\nnew_certs_dir = .\nrand_serial = yes\ndefault_md = sha256\npolicy = any\nunique_subject = no\nx509_extensions = entra\n[any]\ncommonName = supplied',
].join('\n');

function asn1Time(date: Date): string {
  return date.toISOString().replace(/[-:T]/g, '').replace(/\.\d{3}/, '');
}

/**
 * `openssl req -x509 -newkey rsa:2048 -sha256 -nodes -days 1095 -subj "/CN=Microsoft Azure Federated SSO Certificate"`.
 * `notAfterInPastDays` gives an already expired certificate: OpenSSL 3.0 has no `-not_after`
 * (3.4+) and `req -days` must be positive, so that case goes through `openssl ca -selfsign`.
 * The common name must not contain `/`.
 */
export function createIdpKeys(options: { commonName?: string; days?: number; bits?: number; notAfterInPastDays?: number } = {}): IdpKeys {
  const { commonName = 'Microsoft Azure Federated SSO Certificate', days = 1095, bits = 2048, notAfterInPastDays } = options;
  const made = withTempDir((scratch) => {
    writeFileSync(join(scratch, 'openssl.cnf'), OPENSSL_CONFIG);
    writeFileSync(join(scratch, 'index.txt'), '');
    const newKey = ['-config', 'openssl.cnf', '-newkey', `rsa:${bits}`, '-nodes', '-subj', `/CN=${commonName}`, '-keyout', 'key.pem'];
    if (notAfterInPastDays === undefined) {
      run('openssl', ['req', '-x509', ...newKey, '-sha256', '-days', String(days), '-out', 'cert.pem'], scratch);
    } else {
      const notAfter = new Date(Date.now() - notAfterInPastDays * 86_400_000);
      const notBefore = new Date(notAfter.getTime() - days * 86_400_000);
      run('openssl', ['req', '-new', ...newKey, '-out', 'request.csr'], scratch);
      run('openssl', ['ca', '-batch', '-config', 'openssl.cnf', '-selfsign', '-keyfile', 'key.pem', '-in', 'request.csr', '-startdate', asn1Time(notBefore), '-enddate', asn1Time(notAfter), '-notext', '-out', 'cert.pem'], scratch);
    }
    const read = (file: string): string => readFileSync(join(scratch, file), 'utf8');
    return { keyPem: read('key.pem'), certPem: read('cert.pem'), certDer: run('openssl', ['x509', '-in', 'cert.pem', '-outform', 'DER'], scratch) };
  });
  const dir = mkdtempSync(join(tmpdir(), 'azure-test-idp-keys-'));
  writeFileSync(join(dir, 'key.pem'), made.keyPem, { mode: 0o600 });
  writeFileSync(join(dir, 'cert.pem'), made.certPem);
  return { ...made, thumbprint: createHash('sha256').update(made.certDer).digest('hex').toUpperCase(), dir };
}

function throwawayCertificate(options: Parameters<typeof createIdpKeys>[0]): string {
  const keys = createIdpKeys(options);
  disposeIdpKeys(keys);
  return keys.certPem;
}

export interface CertificateUploadSamples {
  pem: Buffer;
  der: Buffer;
  pfx: Buffer;
  p7bPem: Buffer;
  p7bDer: Buffer;
  privateKey: Buffer;
  metadataXml: Buffer;
  twoCertificatesPem: Buffer;
  /** a PEM certificate that expired 30 days ago (its own key pair) */
  expiredPem: Buffer;
}

/** The files an admin might upload instead of Entra's "Certificate (Base64)". PFX password: "test". */
export function certificateUploadSamples(keys: IdpKeys, options: { entityId?: string } = {}): CertificateUploadSamples {
  const tenant = randomUUID();
  const entityId = options.entityId ?? `https://sts.windows.net/${tenant}/`;
  return withTempDir((dir) => {
    writeFileSync(join(dir, 'key.pem'), keys.keyPem);
    writeFileSync(join(dir, 'cert.pem'), keys.certPem);
    run('openssl', ['pkcs12', '-export', '-inkey', 'key.pem', '-in', 'cert.pem', '-passout', 'pass:test', '-out', 'cert.pfx'], dir);
    const login = `https://login.microsoftonline.com/${tenant}/saml2`;
    const metadata =
      `<?xml version="1.0" encoding="utf-8"?><EntityDescriptor ID="_${randomUUID()}" entityID="${escapeXml(entityId)}" xmlns="urn:oasis:names:tc:SAML:2.0:metadata">` +
      `<IDPSSODescriptor protocolSupportEnumeration="${SAML_PROTOCOL_NS}"><KeyDescriptor use="signing"><KeyInfo xmlns="${XMLDSIG_NS}"><X509Data><X509Certificate>${pemBody(keys.certPem)}</X509Certificate></X509Data></KeyInfo></KeyDescriptor>` +
      `<SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="${login}"/>` +
      `<SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="${login}"/>` +
      `<SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="${login}"/></IDPSSODescriptor></EntityDescriptor>`;
    return {
      pem: Buffer.from(keys.certPem),
      der: run('openssl', ['x509', '-in', 'cert.pem', '-outform', 'DER'], dir),
      pfx: readFileSync(join(dir, 'cert.pfx')),
      p7bPem: run('openssl', ['crl2pkcs7', '-nocrl', '-certfile', 'cert.pem'], dir),
      p7bDer: run('openssl', ['crl2pkcs7', '-nocrl', '-certfile', 'cert.pem', '-outform', 'DER'], dir),
      privateKey: Buffer.from(keys.keyPem),
      metadataXml: Buffer.from(metadata),
      twoCertificatesPem: Buffer.from(keys.certPem + throwawayCertificate({})),
      expiredPem: Buffer.from(throwawayCertificate({ notAfterInPastDays: 30 })),
    };
  });
}

/** The single-line base64 of a PEM certificate, as Entra writes it into X509Certificate. */
export function pemBody(pem: string): string {
  return pem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '');
}

export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function startTag(name: string, attributes: ReadonlyArray<readonly [string, string | undefined]>, selfClosing = false): string {
  const rendered = attributes.filter(([, value]) => value !== undefined).map(([key, value]) => ` ${key}="${escapeXml(value ?? '')}"`);
  return `<${name}${rendered.join('')}${selfClosing ? '/>' : '>'}`;
}

export const AZURE_CLAIMS = {
  tenantId: 'http://schemas.microsoft.com/identity/claims/tenantid',
  objectId: 'http://schemas.microsoft.com/identity/claims/objectidentifier',
  displayName: 'http://schemas.microsoft.com/identity/claims/displayname',
  identityProvider: 'http://schemas.microsoft.com/identity/claims/identityprovider',
  authnMethodsReferences: 'http://schemas.microsoft.com/claims/authnmethodsreferences',
  givenName: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname',
  surname: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname',
  emailAddress: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress',
  name: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name',
  groups: 'http://schemas.microsoft.com/ws/2008/06/identity/claims/groups',
  role: 'http://schemas.microsoft.com/ws/2008/06/identity/claims/role',
} as const;

/** Entra's default claim set, in Entra's order. Spread and edit it to drop or add claims. */
export function azureDefaultClaims(input: { issuer: string; nameId: string; objectId?: string; givenName?: string; surname?: string }): Record<string, string | string[]> {
  const { issuer, nameId, objectId = randomUUID(), givenName = 'Test', surname = 'User' } = input;
  return {
    [AZURE_CLAIMS.tenantId]: /([0-9a-f-]{36})/i.exec(issuer)?.[1] ?? '00000000-0000-0000-0000-000000000000',
    [AZURE_CLAIMS.objectId]: objectId,
    [AZURE_CLAIMS.displayName]: `${givenName} ${surname}`,
    [AZURE_CLAIMS.identityProvider]: issuer,
    [AZURE_CLAIMS.authnMethodsReferences]: ['http://schemas.microsoft.com/ws/2008/06/identity/authenticationmethod/password'],
    [AZURE_CLAIMS.givenName]: givenName,
    [AZURE_CLAIMS.surname]: surname,
    [AZURE_CLAIMS.emailAddress]: nameId,
    [AZURE_CLAIMS.name]: nameId,
  };
}

export interface AzureResponseOptions {
  keys: IdpKeys;
  issuer: string;
  nameId: string;
  audience: string;
  recipient: string;
  destination?: string;
  inResponseTo?: string;
  now?: Date;
  sign?: 'assertion' | 'response' | 'both' | 'none';
  algorithm?: 'sha256' | 'sha1';
  statusCode?: string;
  /** nested second-level StatusCode of an error response, e.g. ...:status:RequestUnsupported */
  subStatusCode?: string;
  statusMessage?: string;
  attributes?: Record<string, string | string[]>;
  assertionId?: string;
  responseId?: string;
  keyInfoCert?: 'signer' | 'none';
  nameIdFormat?: string;
  /** when the user actually signed in; Entra sends the original login time */
  authnInstant?: Date;
  /** minutes after IssueInstant until the bearer confirmation's NotOnOrAfter (Entra: 5); null leaves it out */
  bearerMinutes?: number | null;
  /**
   * The Subject's confirmations, for responses Entra never sends (Entra: one bearer confirmation
   * with the request, the recipient and `bearerMinutes`). A field left out takes that default;
   * `inResponseTo: null` leaves the attribute out.
   */
  subjectConfirmations?: ReadonlyArray<{ method?: string; recipient?: string; inResponseTo?: string | null; notBefore?: Date }>;
}

function signatureTemplate(id: string, algorithm: 'sha256' | 'sha1', withCertificate: boolean): string {
  const signatureMethod = algorithm === 'sha1' ? `${XMLDSIG_NS}rsa-sha1` : 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256';
  const digestMethod = algorithm === 'sha1' ? `${XMLDSIG_NS}sha1` : 'http://www.w3.org/2001/04/xmlenc#sha256';
  return (
    `<Signature xmlns="${XMLDSIG_NS}"><SignedInfo><CanonicalizationMethod Algorithm="${EXC_C14N}"/><SignatureMethod Algorithm="${signatureMethod}"/>` +
    `<Reference URI="#${id}"><Transforms><Transform Algorithm="${XMLDSIG_NS}enveloped-signature"/><Transform Algorithm="${EXC_C14N}"/></Transforms>` +
    `<DigestMethod Algorithm="${digestMethod}"/><DigestValue/></Reference></SignedInfo><SignatureValue/>` +
    `${withCertificate ? '<KeyInfo><X509Data><X509Certificate/></X509Data></KeyInfo>' : ''}</Signature>`
  );
}

/** XPath of the Signature that is a child of the first (or the `id`) Response or Assertion. */
function signatureXpath(element: 'Response' | 'Assertion', id?: string): string {
  const namespace = element === 'Response' ? SAML_PROTOCOL_NS : SAML_ASSERTION_NS;
  const idTest = id === undefined ? '' : ` and @ID='${id}'`;
  return `(//*[local-name()='${element}' and namespace-uri()='${namespace}'${idTest}]/*[local-name()='Signature' and namespace-uri()='${XMLDSIG_NS}'])[1]`;
}

/**
 * `xmlsec1 --sign`, then undoes what libxml2 changes in the bytes: it adds an XML declaration,
 * moves namespace declarations before the other attributes and wraps base64 at 64 columns.
 * None of that is signed (c14n sorts attributes; SignatureValue and KeyInfo are outside
 * SignedInfo), so putting Entra's layout back keeps the signature valid.
 */
function signWithXmlsec(template: string, element: 'Response' | 'Assertion', keys: IdpKeys, originalStartTags: readonly string[]): string {
  const signed = withTempDir((dir) => {
    writeFileSync(join(dir, 'key.pem'), keys.keyPem);
    writeFileSync(join(dir, 'cert.pem'), keys.certPem);
    writeFileSync(join(dir, 'template.xml'), template);
    run('xmlsec1', ['--sign', '--privkey-pem', 'key.pem,cert.pem', ...ID_ATTRIBUTES, '--node-xpath', signatureXpath(element), '--output', 'signed.xml', 'template.xml'], dir);
    return readFileSync(join(dir, 'signed.xml'), 'utf8');
  });
  let xml = signed.replace(/^<\?xml[^>]*\?>\s*/, '').trimEnd();
  xml = xml.replace(/<(SignatureValue|X509Certificate)>([^<]*)<\/\1>/g, (_match, name: string, text: string) => `<${name}>${text.replace(/\s+/g, '')}</${name}>`);
  for (const tag of originalStartTags) xml = xml.replace(new RegExp(`<${tag.slice(1, tag.indexOf(' '))}\\s[^>]*>`), () => tag);
  return xml;
}

/** A SAML Response as Entra ID posts it: no XML declaration, no whitespace, assertion signed by default. */
export function azureResponseXml(options: AzureResponseOptions): string {
  const { keys, issuer, nameId, audience, recipient, inResponseTo, sign = 'assertion', algorithm = 'sha256', statusCode = SAML_STATUS_SUCCESS } = options;
  const now = options.now ?? new Date();
  const at = (minutes: number): string => new Date(now.getTime() + minutes * 60_000).toISOString();
  const bearerMinutes = options.bearerMinutes === undefined ? 5 : options.bearerMinutes;
  const assertionId = options.assertionId ?? `_${randomUUID()}`;
  const responseId = options.responseId ?? `_${randomUUID()}`;
  const withCertificate = (options.keyInfoCert ?? 'signer') === 'signer';
  const signAssertion = sign === 'assertion' || sign === 'both';
  const success = statusCode === SAML_STATUS_SUCCESS;

  const destination = options.destination ?? recipient;
  const responseStart = startTag('samlp:Response', [['ID', responseId], ['Version', '2.0'], ['IssueInstant', at(0)], ['Destination', destination], ['InResponseTo', inResponseTo], ['xmlns:samlp', SAML_PROTOCOL_NS]]);
  const assertionStart = startTag('Assertion', [['ID', assertionId], ['IssueInstant', at(0)], ['Version', '2.0'], ['xmlns', SAML_ASSERTION_NS]]);
  const subStatus = options.subStatusCode ? startTag('samlp:StatusCode', [['Value', options.subStatusCode]], true) : '';
  const message = options.statusMessage ?? (success ? undefined : defaultStatusMessage(nameId, now));
  const status =
    `<samlp:Status>${subStatus ? `${startTag('samlp:StatusCode', [['Value', statusCode]])}${subStatus}</samlp:StatusCode>` : startTag('samlp:StatusCode', [['Value', statusCode]], true)}` +
    `${message === undefined ? '' : `<samlp:StatusMessage>${escapeXml(message)}</samlp:StatusMessage>`}</samlp:Status>`;

  const attributes = options.attributes ?? azureDefaultClaims({ issuer, nameId });
  const attributeXml = Object.entries(attributes)
    .map(([name, values]) => `${startTag('Attribute', [['Name', name]])}${[values].flat().map((value) => `<AttributeValue>${escapeXml(value)}</AttributeValue>`).join('')}</Attribute>`)
    .join('');
  const assertion =
    `${assertionStart}<Issuer>${escapeXml(issuer)}</Issuer>${signAssertion ? signatureTemplate(assertionId, algorithm, withCertificate) : ''}` +
    `<Subject>${startTag('NameID', [['Format', options.nameIdFormat ?? EMAIL_FORMAT]])}${escapeXml(nameId)}</NameID>` +
    (options.subjectConfirmations ?? [{}])
      .map(
        (confirmation) =>
          `${startTag('SubjectConfirmation', [['Method', confirmation.method ?? BEARER]])}${startTag(
            'SubjectConfirmationData',
            [
              ['InResponseTo', confirmation.inResponseTo === null ? undefined : (confirmation.inResponseTo ?? inResponseTo)],
              ['NotBefore', confirmation.notBefore?.toISOString()],
              ['NotOnOrAfter', bearerMinutes === null ? undefined : at(bearerMinutes)],
              ['Recipient', confirmation.recipient ?? recipient],
            ],
            true,
          )}</SubjectConfirmation>`,
      )
      .join('') +
    `</Subject>` +
    `${startTag('Conditions', [['NotBefore', at(-5)], ['NotOnOrAfter', at(55)]])}<AudienceRestriction><Audience>${escapeXml(audience)}</Audience></AudienceRestriction></Conditions>` +
    `${attributeXml ? `<AttributeStatement>${attributeXml}</AttributeStatement>` : ''}` +
    `${startTag('AuthnStatement', [['AuthnInstant', (options.authnInstant ?? now).toISOString()], ['SessionIndex', assertionId]])}<AuthnContext><AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:Password</AuthnContextClassRef></AuthnContext></AuthnStatement></Assertion>`;

  const issuerXml = `<Issuer xmlns="${SAML_ASSERTION_NS}">${escapeXml(issuer)}</Issuer>`;
  let xml = `${responseStart}${issuerXml}${status}${success ? assertion : ''}</samlp:Response>`;
  const startTags = [responseStart, assertionStart];
  if (signAssertion && success) xml = signWithXmlsec(xml, 'Assertion', keys, startTags);
  if (sign === 'response' || sign === 'both') {
    xml = xml.replace(issuerXml, () => `${issuerXml}${signatureTemplate(responseId, algorithm, withCertificate)}`);
    xml = signWithXmlsec(xml, 'Response', keys, startTags);
  }
  return xml;
}

function defaultStatusMessage(nameId: string, now: Date): string {
  return (
    `AADSTS50105: Your administrator has configured the application to block users unless they are specifically granted ('assigned') access to the application. ` +
    `The signed in user '${nameId}' is blocked because they are not a direct member of a group with access, nor had access directly assigned by an administrator.\n` +
    `Trace ID: ${randomUUID()}\nCorrelation ID: ${randomUUID()}\nTimestamp: ${now.toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z')}`
  );
}

/**
 * The query string of an IdP's LogoutRequest over the HTTP-Redirect binding (how Entra sends one to
 * an app's Logout URL), signed per SAML bindings 3.4.4.1 when `keys` are given.
 */
export function logoutRequestQuery(input: {
  issuer: string;
  nameId: string;
  keys?: IdpKeys;
  relayState?: string;
  algorithm?: 'sha256' | 'sha1';
  issuedAt?: Date;
  /** Entra sends none */
  destination?: string;
}): string {
  const { issuer, nameId, keys, relayState, algorithm = 'sha256', issuedAt = new Date(), destination } = input;
  const xml =
    `<samlp:LogoutRequest xmlns:samlp="${SAML_PROTOCOL_NS}" ID="_${randomUUID()}" Version="2.0" IssueInstant="${issuedAt.toISOString()}"${destination === undefined ? '' : ` Destination="${escapeXml(destination)}"`}>` +
    `<Issuer xmlns="${SAML_ASSERTION_NS}">${escapeXml(issuer)}</Issuer><NameID xmlns="${SAML_ASSERTION_NS}">${escapeXml(nameId)}</NameID></samlp:LogoutRequest>`;
  let query = `SAMLRequest=${encodeURIComponent(deflateRawSync(xml).toString('base64'))}`;
  if (relayState !== undefined) query += `&RelayState=${encodeURIComponent(relayState)}`;
  if (!keys) return query;
  query += `&SigAlg=${encodeURIComponent(algorithm === 'sha1' ? `${XMLDSIG_NS}rsa-sha1` : 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256')}`;
  return `${query}&Signature=${encodeURIComponent(sign(algorithm, Buffer.from(query), keys.keyPem).toString('base64'))}`;
}

/** base64 of the XML, as the HTTP-POST binding carries it in SAMLResponse. */
export function postBinding(xml: string): string {
  return Buffer.from(xml, 'utf8').toString('base64');
}

/**
 * `xmlsec1 --verify` of the Signature that is a child of the (first, or `id`) Response or
 * Assertion, with the key of `certPem` only. `--enabled-key-data key-name` matters: by default
 * xmlsec1 also takes a key from KeyInfo/KeyValue, so an attacker-signed document would pass.
 */
export function verifiesWithXmlsec(xml: string, certPem: string, node: 'Assertion' | 'Response', options: { id?: string } = {}): boolean {
  return withTempDir((dir) => {
    writeFileSync(join(dir, 'cert.pem'), certPem);
    writeFileSync(join(dir, 'response.xml'), xml);
    try {
      run('xmlsec1', ['--verify', '--pubkey-cert-pem', 'cert.pem', '--enabled-key-data', 'key-name', ...ID_ATTRIBUTES, '--node-xpath', signatureXpath(node, options.id), 'response.xml'], dir);
      return true;
    } catch {
      return false;
    }
  });
}
