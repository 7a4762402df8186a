import { createPrivateKey, X509Certificate } from 'node:crypto';

/** What an admin sees of an IdP signing certificate, and the PEM the service provider verifies with. */
export interface SigningCertificate {
  pem: string;
  subject: string;
  /** SHA-256 of the DER, uppercase hex: the contract's identifier of a certificate. */
  thumbprint: string;
  /** SHA-1 of the DER, uppercase hex: the thumbprint Azure AD's SAML Certificates panel shows. */
  sha1Thumbprint: string;
  notBefore: string;
  notAfter: string;
}

export type CertificateRefusal =
  | 'empty'
  | 'too-large'
  | 'der'
  | 'pfx'
  | 'pkcs7'
  | 'private-key'
  | 'metadata-xml'
  | 'several-certificates'
  | 'not-a-certificate'
  | 'expired'
  | 'weak-key';

export class CertificateRefused extends Error {
  constructor(
    readonly reason: CertificateRefusal,
    message: string,
  ) {
    super(message);
  }
}

export const MAX_CERTIFICATE_UPLOAD_BYTES = 64 * 1024;
export const CERTIFICATE_EXPIRY_WARNING_DAYS = 30;

const DOWNLOAD_BASE64 = 'In Azure AD, open the enterprise application, Single sign-on, SAML Certificates, and download "Certificate (Base64)".';
const PRIVATE_KEY_REFUSAL = 'This file contains a private key, which must never leave Azure AD or be shared. Upload the certificate only. ' + DOWNLOAD_BASE64;
const BEGIN_CERTIFICATE = '-----BEGIN CERTIFICATE-----';
const END_CERTIFICATE = '-----END CERTIFICATE-----';

/**
 * The base64 of each complete certificate block: the last BEGIN marker before each END marker. Found
 * by the markers, in one pass: a pattern over 64 KB of upload could backtrack for hours.
 */
function certificateBlocks(text: string): string[] {
  const blocks: string[] = [];
  let from = 0;
  for (let end = text.indexOf(END_CERTIFICATE); end !== -1; end = text.indexOf(END_CERTIFICATE, from)) {
    const segment = text.slice(from, end);
    const begin = segment.lastIndexOf(BEGIN_CERTIFICATE);
    const body = begin === -1 ? '' : segment.slice(begin + BEGIN_CERTIFICATE.length);
    if (/^[A-Za-z0-9+/=\s]+$/.test(body) && /[^\s]/.test(body)) blocks.push(body.replace(/\s+/g, ''));
    from = end + END_CERTIFICATE.length;
  }
  return blocks;
}

/**
 * Accepts only the Base64 (PEM) certificate download. Node parses DER too, so "it parses" is not
 * enough: Azure offers the binary "Certificate (Raw)" with the same .cer extension, and admins
 * pick it, or the PFX, or the metadata XML. Each gets a message that names what it is.
 */
export function inspectCertificateUpload(upload: Buffer, now: Date = new Date()): SigningCertificate {
  if (upload.length === 0) throw new CertificateRefused('empty', 'The file is empty. ' + DOWNLOAD_BASE64);
  if (upload.length > MAX_CERTIFICATE_UPLOAD_BYTES) {
    throw new CertificateRefused('too-large', `The file is ${upload.length} bytes; a certificate is a few kilobytes. ` + DOWNLOAD_BASE64);
  }
  const content = withoutUnicodeEncoding(upload);
  if (isBinary(content)) throw refusalOfBinary(content);

  const text = content.toString('ascii');
  if (/-----BEGIN (?:[A-Z]+ )*PRIVATE KEY-----/.test(text)) {
    throw new CertificateRefused('private-key', PRIVATE_KEY_REFUSAL);
  }
  if (/-----BEGIN PKCS7-----/.test(text)) {
    throw new CertificateRefused('pkcs7', 'This is a PKCS#7 (.p7b) certificate bundle, not a single certificate. ' + DOWNLOAD_BASE64);
  }
  if (/^\s*</.test(text) || /EntityDescriptor/.test(text)) {
    throw new CertificateRefused('metadata-xml', 'This is the Federation Metadata XML, not the certificate. ' + DOWNLOAD_BASE64);
  }
  const blocks = certificateBlocks(text);
  if (blocks.length > 1) {
    throw new CertificateRefused('several-certificates', `This file holds ${blocks.length} certificates; upload one certificate per file (two can be active for rollover).`);
  }
  if (blocks.length === 0) {
    throw new CertificateRefused('not-a-certificate', 'This is not a Base64 (PEM) certificate: expected a block starting with -----BEGIN CERTIFICATE-----. ' + DOWNLOAD_BASE64);
  }
  const pem = `-----BEGIN CERTIFICATE-----\n${wrap(blocks[0])}\n-----END CERTIFICATE-----\n`;
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(pem);
  } catch {
    throw new CertificateRefused('not-a-certificate', 'The certificate block could not be read (damaged or truncated). ' + DOWNLOAD_BASE64);
  }
  const key = certificate.publicKey;
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (key.asymmetricKeyType === 'rsa' && bits < 2048) {
    throw new CertificateRefused('weak-key', `The certificate's RSA key has ${bits} bits; at least 2048 are required.`);
  }
  // xml-crypto verifies RSA signatures only: an EC certificate would be taken and then fail every sign-in.
  if (key.asymmetricKeyType !== 'rsa') {
    throw new CertificateRefused('weak-key', `The certificate's ${key.asymmetricKeyType ?? 'unknown'} key cannot verify SAML signatures here; Azure AD signs with RSA. ` + DOWNLOAD_BASE64);
  }
  const notAfter = new Date(certificate.validTo);
  if (notAfter.getTime() <= now.getTime()) {
    throw new CertificateRefused('expired', `This certificate expired on ${notAfter.toISOString().slice(0, 10)}. Download the active certificate from Azure AD.`);
  }
  return {
    pem,
    subject: certificate.subject.replace(/\n/g, ', '),
    thumbprint: certificate.fingerprint256.replace(/:/g, ''),
    sha1Thumbprint: certificate.fingerprint.replace(/:/g, ''),
    notBefore: new Date(certificate.validFrom).toISOString(),
    notAfter: notAfter.toISOString(),
  };
}

/** Days until a certificate expires, and whether the admin should be warned to roll it over. */
export function certificateExpiry(notAfter: string, now: Date = new Date()): { expiresInDays: number; expiresSoon: boolean } {
  const expiresInDays = Math.floor((new Date(notAfter).getTime() - now.getTime()) / 86_400_000);
  return { expiresInDays, expiresSoon: expiresInDays < CERTIFICATE_EXPIRY_WARNING_DAYS };
}

/** Windows tools save text as UTF-16 with a byte-order mark; a PEM is ASCII once that is undone. */
function withoutUnicodeEncoding(upload: Buffer): Buffer {
  const starts = (...bytes: number[]) => upload.subarray(0, bytes.length).equals(Buffer.from(bytes));
  if (starts(0xef, 0xbb, 0xbf)) return upload.subarray(3);
  if (starts(0xff, 0xfe)) return Buffer.from(upload.subarray(2).toString('utf16le'), 'utf8');
  // swap16 needs whole code units: a cut-off last byte is dropped, as the little-endian decoding does.
  if (starts(0xfe, 0xff)) return Buffer.from(Buffer.from(upload.subarray(2, upload.length - (upload.length % 2))).swap16().toString('utf16le'), 'utf8');
  return upload;
}

function isBinary(bytes: Buffer): boolean {
  const sample = bytes.subarray(0, 4096);
  for (const byte of sample) {
    if ((byte < 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d) || byte > 0x7e) return true;
  }
  return false;
}

/** DER structures start alike (SEQUENCE); what follows tells a PFX, a PKCS#7 and a certificate apart. */
function refusalOfBinary(bytes: Buffer): CertificateRefused {
  if (isPrivateKeyDer(bytes)) return new CertificateRefused('private-key', PRIVATE_KEY_REFUSAL);
  const body = derSequenceBody(bytes);
  const PKCS7_SIGNED_DATA = Buffer.from([0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02]);
  if (body && body.subarray(0, 3).equals(Buffer.from([0x02, 0x01, 0x03]))) {
    return new CertificateRefused('pfx', 'This is a PFX (PKCS#12) file, which bundles a private key and must not be uploaded. ' + DOWNLOAD_BASE64);
  }
  if (body && body.subarray(0, PKCS7_SIGNED_DATA.length).equals(PKCS7_SIGNED_DATA)) {
    return new CertificateRefused('pkcs7', 'This is a binary PKCS#7 (.p7b) certificate bundle, not a single certificate. ' + DOWNLOAD_BASE64);
  }
  try {
    new X509Certificate(bytes);
    return new CertificateRefused('der', 'This is the binary "Certificate (Raw)" download (DER). ' + DOWNLOAD_BASE64);
  } catch {
    return new CertificateRefused('not-a-certificate', 'This binary file is not a certificate. ' + DOWNLOAD_BASE64);
  }
}

/** A private key saved in binary: PKCS#8 (encrypted or not), PKCS#1 RSA, or SEC1 EC. */
function isPrivateKeyDer(bytes: Buffer): boolean {
  for (const type of ['pkcs8', 'pkcs1', 'sec1'] as const) {
    try {
      createPrivateKey({ key: bytes, format: 'der', type });
      return true;
    } catch (error) {
      // An encrypted PKCS#8 key parses far enough to ask for its passphrase.
      if ((error as { code?: string }).code === 'ERR_MISSING_PASSPHRASE') return true;
    }
  }
  return false;
}

function derSequenceBody(bytes: Buffer): Buffer | undefined {
  if (bytes.length < 2 || bytes[0] !== 0x30) return undefined;
  const first = bytes[1];
  // 0x80: BER's indefinite length (older tools, Java's keytool among them, write PFX and PKCS#7 files so).
  if (first < 0x80 || first === 0x80) return bytes.subarray(2);
  const lengthBytes = first & 0x7f;
  return lengthBytes > 0 && lengthBytes <= 4 ? bytes.subarray(2 + lengthBytes) : undefined;
}

function wrap(base64: string): string {
  return base64.match(/.{1,64}/g)?.join('\n') ?? '';
}
