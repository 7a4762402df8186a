import { SAML, SamlStatusError, ValidateInResponseTo, generateServiceProviderMetadata, type CacheProvider, type Profile, type SamlConfig } from '@node-saml/node-saml';
import { DOMParser } from '@xmldom/xmldom';
import { CONTROL_CHARACTERS, SamlRejected } from './saml-message';

/** Our side: one entity ID that is also the ACS URL, for every tenant (`{PUBLIC_BASE_URL}/saml2`). */
export interface ServiceProvider {
  entityId: string;
  acsUrl: string;
}

/** One company's IdP as its admin configured it. */
export interface IdentityProviderSettings {
  signInUrl: string;
  issuer: string;
  /** PEM; two during a certificate rollover. */
  certificates: readonly string[];
}

/**
 * AuthnRequest IDs we issued, bound to the tenant that issued them; node-saml checks InResponseTo
 * against it and removes an ID once its response is consumed.
 */
export type AuthnRequestStore = CacheProvider;

/** What the rest of the platform learns from a response that passed every check. */
export interface VerifiedAssertion {
  nameId: string;
  nameIdFormat: string;
  issuer: string;
  assertionId: string;
  sessionIndex: string | null;
  inResponseTo: string | null;
  /** Until when the assertion could be replayed: its replay record lives that long. */
  replayableUntil: Date;
  claims: { objectId: string | null; azureTenantId: string | null; displayName: string | null; email: string | null; roles: string[] };
}

const ASSERTION_NS = 'urn:oasis:names:tc:SAML:2.0:assertion';
const PROTOCOL_NS = 'urn:oasis:names:tc:SAML:2.0:protocol';
const DSIG_NS = 'http://www.w3.org/2000/09/xmldsig#';
const BEARER = 'urn:oasis:names:tc:SAML:2.0:cm:bearer';
const SUCCESS = 'urn:oasis:names:tc:SAML:2.0:status:Success';
const EMAIL_FORMAT = 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress';
export const ACCEPTED_CLOCK_SKEW_MS = 120_000;
export const MAX_ASSERTION_AGE_MS = 10 * 60_000;
export const AUTHN_REQUEST_LIFETIME_MS = 10 * 60_000;

/**
 * The options Azure AD needs, built per tenant per request. Azure signs the assertion by default;
 * its admins may choose to sign the response instead, or both: one valid signature by the tenant's
 * certificate over the assertion, itself or through the whole response, is required (node-saml then
 * reads the assertion only from what was signed). Azure asks for no RequestedAuthnContext, and
 * gives the UPN only when asked for the emailAddress format.
 */
function samlFor(sp: ServiceProvider, idp: IdentityProviderSettings, requests: AuthnRequestStore): SAML {
  const options: SamlConfig = {
    entryPoint: idp.signInUrl,
    issuer: sp.entityId,
    callbackUrl: sp.acsUrl,
    audience: sp.entityId,
    idpCert: [...idp.certificates],
    wantAssertionsSigned: false,
    wantAuthnResponseSigned: false,
    signatureAlgorithm: 'sha256',
    digestAlgorithm: 'sha256',
    acceptedClockSkewMs: ACCEPTED_CLOCK_SKEW_MS,
    maxAssertionAgeMs: MAX_ASSERTION_AGE_MS,
    validateInResponseTo: ValidateInResponseTo.ifPresent,
    requestIdExpirationPeriodMs: AUTHN_REQUEST_LIFETIME_MS,
    cacheProvider: requests,
    disableRequestedAuthnContext: true,
    identifierFormat: EMAIL_FORMAT,
  };
  return new SAML(options);
}

/** The IdP's sign-in URL with a deflated AuthnRequest (HTTP-Redirect binding) and our RelayState. */
export async function authnRequestUrl(
  sp: ServiceProvider,
  idp: IdentityProviderSettings,
  requests: AuthnRequestStore,
  relayState: string,
  loginHint?: string,
): Promise<string> {
  const saml = samlFor(sp, idp, requests);
  const url = new URL(await saml.getAuthorizeUrlAsync(relayState, undefined, {}));
  // Azure pre-fills the account from login_hint; a Subject in the request would be an error there.
  if (loginHint) url.searchParams.set('login_hint', loginHint);
  return url.toString();
}

export function serviceProviderMetadata(sp: ServiceProvider): string {
  return generateServiceProviderMetadata({
    issuer: sp.entityId,
    callbackUrl: sp.acsUrl,
    identifierFormat: EMAIL_FORMAT,
    wantAssertionsSigned: true,
  });
}

/** Unverified routing facts: which request or which issuer a response claims to answer. Never trusted for identity. */
export interface ResponseEnvelope {
  inResponseTo: string | null;
  /** The Response's own Issuer, else the single assertion's: which company trusts it. */
  issuer: string | null;
  /** The Response's own Issuer only (optional in SAML; Azure sends it). */
  responseIssuer: string | null;
  destination: string | null;
  /** The top-level StatusCode and the IdP's message (Azure puts its AADSTS error there). */
  status: string | null;
  statusMessage: string | null;
  /**
   * The single assertion's NameID as sent, before any signature is checked: only a hint of which
   * company to try first when several trust the issuer (usernames are platform-wide). Null when
   * absent or holding what no username holds.
   */
  nameIdHint: string | null;
}

export function readEnvelope(xml: string): ResponseEnvelope {
  const document = parse(xml);
  const response = document.documentElement;
  if (!response || response.localName !== 'Response' || response.namespaceURI !== PROTOCOL_NS) throw new SamlRejected('malformed', 'not a SAML Response');
  const issuers = children(response, ASSERTION_NS, 'Issuer');
  const assertions = children(response, ASSERTION_NS, 'Assertion');
  if (children(response, ASSERTION_NS, 'EncryptedAssertion').length > 0) {
    throw new SamlRejected('encrypted-assertion', 'the assertion is encrypted (Azure AD "Token encryption"), which this service provider does not decrypt');
  }
  const issuer = issuers[0] ?? (assertions.length === 1 ? children(assertions[0], ASSERTION_NS, 'Issuer')[0] : undefined);
  assertStrongAlgorithms(document);
  const statusElement = children(response, PROTOCOL_NS, 'Status')[0];
  const subject = assertions.length === 1 ? children(assertions[0], ASSERTION_NS, 'Subject')[0] : undefined;
  const nameIdHint = (subject && children(subject, ASSERTION_NS, 'NameID')[0]?.textContent?.trim()) || null;
  const envelope: Omit<ResponseEnvelope, 'nameIdHint'> = {
    inResponseTo: response.getAttribute('InResponseTo') || null,
    issuer: issuer?.textContent?.trim() || null,
    responseIssuer: issuers[0]?.textContent?.trim() || null,
    destination: response.getAttribute('Destination') || null,
    status: (statusElement && children(statusElement, PROTOCOL_NS, 'StatusCode')[0]?.getAttribute('Value')) || null,
    statusMessage: (statusElement && children(statusElement, PROTOCOL_NS, 'StatusMessage')[0]?.textContent?.trim().slice(0, 500)) || null,
  };
  // These values look up requests and companies; a character no identifier has (`&#0;` parses to NUL) is refused here.
  for (const [name, value] of Object.entries(envelope)) {
    if (name !== 'statusMessage' && value !== null && (value.length > 1024 || CONTROL_CHARACTERS.test(value))) {
      throw new SamlRejected('malformed', `${name} holds control characters or is too long`);
    }
  }
  const usableHint = nameIdHint !== null && nameIdHint.length <= 1024 && !CONTROL_CHARACTERS.test(nameIdHint);
  return { ...envelope, nameIdHint: usableHint ? nameIdHint : null };
}

/** What ends a session from a LogoutRequest the IdP signed: whose, for where, and from when. */
export interface LogoutRequestFacts {
  id: string;
  /** Who sent it (its Issuer element), to find the companies whose IdP may have signed it; null when absent. */
  issuer: string | null;
  nameId: string;
  destination: string | null;
  issuedAt: number;
}

/** A LogoutRequest's facts (already signature-checked by the caller), or a refusal when it lacks one. */
export function readLogoutRequest(xml: string): LogoutRequestFacts {
  const request = parse(xml).documentElement;
  if (!request || request.localName !== 'LogoutRequest' || request.namespaceURI !== PROTOCOL_NS) throw new SamlRejected('malformed', 'not a LogoutRequest');
  const id = request.getAttribute('ID');
  const issuedAt = Date.parse(request.getAttribute('IssueInstant') ?? '');
  const nameId = children(request, ASSERTION_NS, 'NameID')[0]?.textContent?.trim();
  if (!id || !nameId || !Number.isFinite(issuedAt)) throw new SamlRejected('malformed', 'a LogoutRequest without ID, IssueInstant or NameID');
  const issuer = children(request, ASSERTION_NS, 'Issuer')[0]?.textContent?.trim() || null;
  return { id, issuer, nameId, destination: request.getAttribute('Destination') || null, issuedAt };
}

/**
 * node-saml verifies the signature against the tenant's own certificates (never one carried in the
 * message), the audience, the time windows and InResponseTo. It does not check the issuer, the
 * Recipient or the Destination, and it stops replays of SP-initiated responses only: those checks
 * are here, read from the signed assertion node-saml returns (never from a second parse of the
 * posted bytes); replay is the caller's, keyed on `assertionId`.
 */
export async function verifyResponse(
  sp: ServiceProvider,
  idp: IdentityProviderSettings,
  requests: AuthnRequestStore,
  samlResponseBase64: string,
  envelope: ResponseEnvelope,
): Promise<VerifiedAssertion> {
  if (envelope.destination !== null && envelope.destination !== sp.acsUrl) throw new SamlRejected('wrong-destination', `Destination ${envelope.destination}`);
  let profile: Profile | null;
  try {
    ({ profile } = await samlFor(sp, idp, requests).validatePostResponseAsync({ SAMLResponse: samlResponseBase64 }));
  } catch (error) {
    throw classify(error);
  }
  if (!profile) throw new SamlRejected('malformed', 'no assertion in the response');
  if (CONTROL_CHARACTERS.test(profile.nameID)) throw new SamlRejected('malformed', 'NameID holds control characters');
  if (profile.issuer !== idp.issuer) throw new SamlRejected('wrong-issuer', `issuer ${profile.issuer}`);
  // After node-saml, so that a refused answer uses its request up like any other. node-saml reads
  // the Status only when the response carries no assertion, and Azure leaves the Status unsigned.
  if (envelope.status !== SUCCESS) throw new SamlRejected('idp-error', `status ${envelope.status ?? 'missing'}: ${envelope.statusMessage ?? 'no message'}`);
  if (envelope.responseIssuer !== null && envelope.responseIssuer !== idp.issuer) throw new SamlRejected('wrong-issuer', `Response issuer ${envelope.responseIssuer}`);

  const assertion = parse(profile.getAssertionXml?.() ?? '').documentElement;
  if (!assertion || assertion.localName !== 'Assertion') throw new SamlRejected('malformed', 'the signed assertion is missing');
  const confirmations = descendants(assertion, ASSERTION_NS, 'SubjectConfirmation').filter((element) => element.getAttribute('Method') === BEARER);
  const data = confirmations.flatMap((confirmation) => children(confirmation, ASSERTION_NS, 'SubjectConfirmationData'));
  if (data.length === 0 || data.some((element) => element.getAttribute('Recipient') !== sp.acsUrl)) {
    throw new SamlRejected('wrong-recipient', `Recipient ${data.map((element) => element.getAttribute('Recipient')).join(', ') || 'missing'}`);
  }
  // An answer to a request of ours stays one: node-saml checks the signed InResponseTo only against
  // the Response's unsigned one, so a response stripped of the latter would pass as IdP-initiated.
  const answered = [...new Set(data.map((element) => element.getAttribute('InResponseTo')).filter((value): value is string => !!value))];
  if (answered.length > 1 || (answered.length === 1 && answered[0] !== envelope.inResponseTo)) {
    throw new SamlRejected('unknown-request', `the assertion answers ${answered.join(', ')}, the response ${envelope.inResponseTo ?? 'no request'}`);
  }
  const acceptedUntil = acceptanceWindowEnd(assertion, data, Date.now());
  const assertionId = assertion.getAttribute('ID');
  if (!assertionId) throw new SamlRejected('malformed', 'assertion without ID');
  const claim = (name: string) => {
    const value = profile[name];
    return typeof value === 'string' ? value : Array.isArray(value) && typeof value[0] === 'string' ? value[0] : null;
  };
  return {
    nameId: profile.nameID,
    nameIdFormat: profile.nameIDFormat,
    issuer: profile.issuer,
    assertionId,
    sessionIndex: profile.sessionIndex ?? null,
    inResponseTo: (profile.inResponseTo as string | undefined) ?? envelope.inResponseTo,
    replayableUntil: new Date(acceptedUntil + ACCEPTED_CLOCK_SKEW_MS),
    claims: {
      objectId: claim('http://schemas.microsoft.com/identity/claims/objectidentifier'),
      azureTenantId: claim('http://schemas.microsoft.com/identity/claims/tenantid'),
      displayName: claim('http://schemas.microsoft.com/identity/claims/displayname'),
      email: claim('http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress'),
      roles: claims(profile['http://schemas.microsoft.com/ws/2008/06/identity/claims/role']),
    },
  };
}

/**
 * Until when the assertion may be accepted (before the clock skew): the earliest of its bearer
 * confirmations' NotOnOrAfter and its IssueInstant plus the maximum age; refused when that has
 * passed. node-saml checks the bearer window only on answers to our requests, and the age only when
 * Conditions carries times, so an unsolicited response would stay good past its replay record.
 */
function acceptanceWindowEnd(assertion: Element, bearerData: readonly Element[], now: number): number {
  const issued = Date.parse(assertion.getAttribute('IssueInstant') ?? '');
  if (!Number.isFinite(issued)) throw new SamlRejected('malformed', 'assertion without a valid IssueInstant');
  let end = issued + MAX_ASSERTION_AGE_MS;
  for (const data of bearerData) {
    // The Web SSO profile requires NotOnOrAfter on a bearer confirmation: without it nothing bounds a replay.
    const notOnOrAfter = Date.parse(data.getAttribute('NotOnOrAfter') ?? '');
    if (!Number.isFinite(notOnOrAfter)) throw new SamlRejected('malformed', 'bearer SubjectConfirmationData without a valid NotOnOrAfter');
    const notBefore = data.getAttribute('NotBefore') || null; // xmldom answers '' for an absent attribute
    if (notBefore !== null && !(Date.parse(notBefore) <= now + ACCEPTED_CLOCK_SKEW_MS)) throw new SamlRejected('expired', `SubjectConfirmationData not valid before ${notBefore}`);
    end = Math.min(end, notOnOrAfter);
  }
  if (now - ACCEPTED_CLOCK_SKEW_MS >= end) throw new SamlRejected('expired', `assertion no longer valid since ${new Date(end).toISOString()}`);
  return end;
}

/** A multi-valued claim (Azure sends one AttributeValue per app role). */
function claims(value: unknown): string[] {
  return (Array.isArray(value) ? value : [value]).filter((item): item is string => typeof item === 'string');
}

/** node-saml's messages, sorted into the reasons we log and count. */
function classify(error: unknown): SamlRejected {
  if (error instanceof SamlRejected) return error;
  if (error instanceof SamlStatusError) return new SamlRejected('idp-error', `${error.xmlStatus}: ${error.message}`);
  const message = error instanceof Error ? error.message : String(error);
  if (/InResponseTo/i.test(message)) return new SamlRejected('unknown-request', message);
  if (/audience/i.test(message)) return new SamlRejected('wrong-audience', message);
  if (/expired|not yet valid|NotBefore|NotOnOrAfter|too old|IssueInstant/i.test(message)) return new SamlRejected('expired', message);
  if (/signature|signed|reference|digest/i.test(message)) return new SamlRejected('invalid-signature', message);
  return new SamlRejected('malformed', message);
}

const WEAK_ALGORITHMS = /(rsa-sha1|#sha1|hmac-)/i;

function assertStrongAlgorithms(document: Document): void {
  for (const name of ['SignatureMethod', 'DigestMethod']) {
    for (const element of Array.from(document.getElementsByTagNameNS(DSIG_NS, name))) {
      if (WEAK_ALGORITHMS.test(element.getAttribute('Algorithm') ?? '')) throw new SamlRejected('weak-algorithm', `${name} ${element.getAttribute('Algorithm')}`);
    }
  }
}

function parse(xml: string): Document {
  const problems: string[] = [];
  const document = new DOMParser({
    errorHandler: { warning: () => undefined, error: (message) => problems.push(String(message)), fatalError: (message) => problems.push(String(message)) },
  }).parseFromString(xml, 'text/xml');
  if (problems.length > 0) throw new SamlRejected('malformed', `unparseable XML: ${problems[0].slice(0, 200)}`);
  return document as unknown as Document;
}

function children(parent: Element, namespace: string, localName: string): Element[] {
  return Array.from(parent.childNodes).filter(
    (node): node is Element => node.nodeType === 1 && (node as Element).localName === localName && (node as Element).namespaceURI === namespace,
  );
}

function descendants(parent: Element, namespace: string, localName: string): Element[] {
  return Array.from(parent.getElementsByTagNameNS(namespace, localName));
}
