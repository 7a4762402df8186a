import { verify } from 'node:crypto';
import { inflateRawSync } from 'node:zlib';

/**
 * Why a SAML message was refused. `reason` is for the log (it may name the check that failed);
 * users only ever see a generic page, so nothing here helps an attacker tune a forgery.
 */
export class SamlRejected extends Error {
  constructor(
    readonly reason: SamlRejection,
    readonly detail: string,
  ) {
    super(`${reason}: ${detail}`);
  }
}

export type SamlRejection =
  | 'malformed'
  | 'too-large'
  | 'unsafe-xml'
  | 'weak-algorithm'
  | 'unknown-tenant'
  | 'sso-disabled'
  | 'invalid-signature'
  | 'wrong-issuer'
  | 'wrong-audience'
  | 'wrong-destination'
  | 'wrong-recipient'
  | 'expired'
  | 'unknown-request'
  | 'replayed'
  | 'idp-error'
  | 'unknown-user'
  | 'inactive-user'
  | 'encrypted-assertion';

/** Characters no username, request ID, issuer or path of ours holds (PostgreSQL refuses NUL outright). */
export const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;

/**
 * Limits on what the ACS and the Redirect-binding endpoints read. An Azure AD response with the
 * default claims is 6-8 KB and one with 150 group claims about 20 KB, so these leave room.
 */
export const SAML_LIMITS = {
  /** Base64 as posted in SAMLResponse. */
  maxEncodedBytes: 256 * 1024,
  /** What a Redirect-binding message may inflate to: streaming inflate stops there. */
  maxInflatedBytes: 256 * 1024,
};

/** Line breaks are allowed anywhere; checked after dropping them, so that the check stays linear in the length. */
const isBase64 = (value: string) => /^[A-Za-z0-9+/]+={0,2}$/.test(value.replace(/[\r\n]+/g, ''));

/** SAMLResponse of the HTTP-POST binding: base64 of the XML, within limits, with nothing unsafe in it. */
export function decodePostBinding(value: unknown): string {
  if (typeof value !== 'string' || value.length === 0) throw new SamlRejected('malformed', 'no SAMLResponse in the form');
  if (value.length > SAML_LIMITS.maxEncodedBytes) throw new SamlRejected('too-large', `SAMLResponse is ${value.length} bytes`);
  if (!isBase64(value)) throw new SamlRejected('malformed', 'SAMLResponse is not base64');
  const xml = Buffer.from(value, 'base64').toString('utf8');
  assertSafeXml(xml);
  return xml;
}

/** SAMLRequest/SAMLResponse of the HTTP-Redirect binding: base64 of raw DEFLATE, inflated with a cap. */
export function decodeRedirectBinding(value: unknown): string {
  if (typeof value !== 'string' || value.length === 0) throw new SamlRejected('malformed', 'no SAML message in the query');
  if (value.length > SAML_LIMITS.maxEncodedBytes) throw new SamlRejected('too-large', `the SAML message is ${value.length} bytes`);
  if (!isBase64(value)) throw new SamlRejected('malformed', 'the SAML message is not base64');
  let xml: string;
  try {
    xml = inflateRawSync(Buffer.from(value, 'base64'), { maxOutputLength: SAML_LIMITS.maxInflatedBytes }).toString('utf8');
  } catch (error) {
    const tooLarge = (error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE' || error instanceof RangeError;
    throw new SamlRejected(tooLarge ? 'too-large' : 'malformed', tooLarge ? 'inflates beyond the limit' : 'not DEFLATE data');
  }
  assertSafeXml(xml);
  return xml;
}

/**
 * SAML never needs a DTD or processing instructions; refusing them up front shuts out XXE, entity
 * expansion and the canonicalisation differences that processing instructions cause.
 */
export function assertSafeXml(xml: string): void {
  if (!/^\s*(<\?xml[^>]*\?>\s*)?</.test(xml)) throw new SamlRejected('malformed', 'not an XML document');
  const body = xml.replace(/^\s*<\?xml[^>]*\?>/, '');
  if (/<!DOCTYPE/i.test(body) || /<!ENTITY/i.test(body)) throw new SamlRejected('unsafe-xml', 'a DTD or entity declaration');
  if (body.includes('<?')) throw new SamlRejected('unsafe-xml', 'a processing instruction');
  if (body.includes('\u0000')) throw new SamlRejected('unsafe-xml', 'a NUL character');
}

/** Signature algorithms of the Redirect binding we accept, with the digest each uses (SHA-1 is refused, as in responses). */
const REDIRECT_SIGNATURE_DIGESTS: Record<string, string> = {
  'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256': 'sha256',
  'http://www.w3.org/2001/04/xmldsig-more#rsa-sha384': 'sha384',
  'http://www.w3.org/2001/04/xmldsig-more#rsa-sha512': 'sha512',
};

/**
 * The message of a Redirect-binding query signed by one of `certificates` (SAML bindings 3.4.4.1),
 * else null. The signed octets are the parameters exactly as they came, URL-encoded, in the order
 * SAMLRequest or SAMLResponse, RelayState, SigAlg; the message handed back is that signed value,
 * decoded here, so that no other reading of the query can slip another message in. A parameter
 * given twice makes the message unsigned: which copy was meant cannot be told.
 */
export function signedRedirectMessage(rawQuery: string, certificates: readonly string[]): { name: 'SAMLRequest' | 'SAMLResponse'; value: string } | null {
  const raw = new Map<string, string>();
  for (const pair of rawQuery.split('&')) {
    const name = pair.slice(0, pair.includes('=') ? pair.indexOf('=') : pair.length);
    if (raw.has(name)) return null;
    raw.set(name, pair.slice(name.length + 1));
  }
  if (raw.has('SAMLRequest') === raw.has('SAMLResponse')) return null;
  const name = raw.has('SAMLRequest') ? 'SAMLRequest' : 'SAMLResponse';
  const [message, sigAlg, signature] = [raw.get(name)!, raw.get('SigAlg'), raw.get('Signature')];
  if (sigAlg === undefined || signature === undefined) return null;
  let digest: string | undefined;
  let signatureBytes: Buffer;
  let value: string;
  try {
    digest = REDIRECT_SIGNATURE_DIGESTS[decodeURIComponent(sigAlg)];
    signatureBytes = Buffer.from(decodeURIComponent(signature), 'base64');
    value = decodeURIComponent(message.replace(/\+/g, ' '));
  } catch {
    return null; // not URL-encoding
  }
  if (digest === undefined || signatureBytes.length === 0) return null;
  const relayState = raw.get('RelayState');
  const signed = Buffer.from(`${name}=${message}${relayState === undefined ? '' : `&RelayState=${relayState}`}&SigAlg=${sigAlg}`, 'utf8');
  const verifies = certificates.some((certificate) => {
    try {
      return verify(digest, signed, certificate, signatureBytes);
    } catch {
      return false;
    }
  });
  return verifies ? { name, value } : null;
}
