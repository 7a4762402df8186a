import { execFileSync } from 'node:child_process';
import { certificateUploadSamples, createIdpKeys, withinHangGuard, type CertificateUploadSamples, type IdpKeys } from '@identity/platform-testing';
import { certificateExpiry, CertificateRefused, inspectCertificateUpload, MAX_CERTIFICATE_UPLOAD_BYTES, type CertificateRefusal } from './certificate-upload';

describe('inspectCertificateUpload', () => {
  let keys: IdpKeys;
  let samples: CertificateUploadSamples;

  beforeAll(() => {
    keys = createIdpKeys();
    samples = certificateUploadSamples(keys);
  });

  function refusal(upload: Buffer): { reason: CertificateRefusal; message: string } {
    try {
      inspectCertificateUpload(upload);
    } catch (error) {
      if (error instanceof CertificateRefused) return { reason: error.reason, message: error.message };
      throw error;
    }
    throw new Error('accepted');
  }

  it('accepts Azure’s "Certificate (Base64)" and describes it', () => {
    const certificate = inspectCertificateUpload(samples.pem);
    expect(certificate).toMatchObject({ subject: 'CN=Microsoft Azure Federated SSO Certificate', thumbprint: keys.thumbprint });
    expect(certificate.sha1Thumbprint).toMatch(/^[0-9A-F]{40}$/);
    expect(certificateExpiry(certificate.notAfter).expiresSoon).toBe(false);
  });

  it('accepts the same certificate with Windows line endings, a BOM, or text around the block', () => {
    const pem = samples.pem.toString('ascii');
    for (const variant of [pem.replace(/\n/g, '\r\n'), `\uFEFF${pem}`, `Subject: CN=Microsoft Azure Federated SSO Certificate\n${pem}\n`]) {
      expect(inspectCertificateUpload(Buffer.from(variant, 'utf8')).thumbprint).toBe(keys.thumbprint);
    }
  });

  it.each([
    ['der', 'der', 'Certificate (Raw)'],
    ['pfx', 'pfx', 'PFX'],
    ['p7bPem', 'pkcs7', 'PKCS#7'],
    ['p7bDer', 'pkcs7', 'PKCS#7'],
    ['privateKey', 'private-key', 'private key'],
    ['metadataXml', 'metadata-xml', 'Federation Metadata XML'],
    ['twoCertificatesPem', 'several-certificates', '2 certificates'],
    ['expiredPem', 'expired', 'expired on'],
  ] as const)('refuses %s as %s, saying what it is', (sample, reason, words) => {
    const refused = refusal(samples[sample]);
    expect(refused.reason).toBe(reason);
    expect(refused.message).toContain(words);
  });

  it('names a private key saved in binary (PKCS#8, encrypted PKCS#8, PKCS#1), and PFX and PKCS#7 files written with BER’s indefinite length', () => {
    const der = (args: string[]) => execFileSync('openssl', args, { input: keys.keyPem });
    for (const key of [der(['pkey', '-outform', 'DER']), der(['pkcs8', '-topk8', '-outform', 'DER', '-passout', 'pass:secret']), der(['rsa', '-outform', 'DER', '-traditional'])]) {
      expect(refusal(key).reason).toBe('private-key');
    }
    // The outer SEQUENCE re-written with an indefinite length and its end-of-contents octets.
    const indefinite = (file: Buffer) => {
      const lengthBytes = file[1] < 0x80 ? 0 : file[1] & 0x7f;
      return Buffer.concat([Buffer.from([0x30, 0x80]), file.subarray(2 + lengthBytes), Buffer.from([0x00, 0x00])]);
    };
    expect(refusal(indefinite(samples.pfx)).reason).toBe('pfx');
    expect(refusal(indefinite(samples.p7bDer)).reason).toBe('pkcs7');
  });

  it('reads a maximum-size upload of a BEGIN marker and no END in one pass (a backtracking pattern took hours on it)', () => {
    for (const filler of [' ', 'A', '\n-----BEGIN CERTIFICATE-----']) {
      const upload = `-----BEGIN CERTIFICATE-----${filler.repeat(Math.floor((MAX_CERTIFICATE_UPLOAD_BYTES - 64) / filler.length))}!-----END CERTIFICATE----`;
      expect(withinHangGuard(5000, () => refusal(Buffer.from(upload, 'ascii')).reason)).toBe('not-a-certificate');
    }
  });

  it('reads the block whose BEGIN marker is nearest its END marker, and counts complete blocks only', () => {
    const pem = samples.pem.toString('ascii');
    expect(inspectCertificateUpload(Buffer.from(`-----BEGIN CERTIFICATE----- cut off here\n${pem}`, 'ascii')).thumbprint).toBe(keys.thumbprint);
    expect(inspectCertificateUpload(Buffer.from(`${pem}\n-----BEGIN CERTIFICATE-----\nMIIB`, 'ascii')).thumbprint).toBe(keys.thumbprint);
    expect(refusal(Buffer.from(`${pem}${pem}`, 'ascii')).reason).toBe('several-certificates');
  });

  it('points every wrong download to "Certificate (Base64)"', () => {
    for (const sample of ['der', 'pfx', 'p7bDer', 'privateKey', 'metadataXml'] as const) expect(refusal(samples[sample]).message).toContain('Certificate (Base64)');
  });

  it('accepts the certificate saved as UTF-16 (either byte order), as Windows editors do', () => {
    const pem = samples.pem.toString('ascii');
    const littleEndian = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(pem, 'utf16le')]);
    const bigEndian = Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(pem, 'utf16le').swap16()]);
    for (const upload of [littleEndian, bigEndian]) expect(inspectCertificateUpload(upload).thumbprint).toBe(keys.thumbprint);
  });

  it('reads a UTF-16 upload cut off in the middle of a character instead of failing on it', () => {
    const pem = samples.pem.toString('ascii');
    const bigEndian = Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(pem, 'utf16le').swap16(), Buffer.from([0x00])]);
    expect(inspectCertificateUpload(bigEndian).thumbprint).toBe(keys.thumbprint);
    expect(refusal(Buffer.from([0xfe, 0xff, 0x00, 0x41, 0x00])).reason).toBe('not-a-certificate');
  });

  it('refuses an EC certificate, which could never verify a signature here', () => {
    const ec = execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', '/dev/null', '-subj', '/CN=EC', '-days', '30'], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const refused = refusal(ec);
    expect(refused).toMatchObject({ reason: 'weak-key' });
    expect(refused.message).toContain('RSA');
  });

  it('refuses keys under 2048 bits', () => {
    expect(refusal(Buffer.from(createIdpKeys({ bits: 1024 }).certPem)).reason).toBe('weak-key');
  });

  it.each([
    ['an empty file', Buffer.alloc(0), 'empty'],
    ['text that is not a certificate', Buffer.from('hello'), 'not-a-certificate'],
    ['a damaged block', Buffer.from('-----BEGIN CERTIFICATE-----\nMIIBAAAA\n-----END CERTIFICATE-----\n'), 'not-a-certificate'],
    ['random bytes', Buffer.from([0x30, 0x03, 0x02, 0x01, 0x05, 0xff]), 'not-a-certificate'],
    ['a huge file', Buffer.alloc(70 * 1024, 0x41), 'too-large'],
  ])('refuses %s', (_, upload, reason) => {
    expect(refusal(upload).reason).toBe(reason);
  });

  it('warns within 30 days of expiry', () => {
    const now = new Date('2026-11-30T12:00:00Z');
    expect(certificateExpiry('2026-12-10T12:00:00.000Z', now)).toEqual({ expiresInDays: 10, expiresSoon: true });
    expect(certificateExpiry('2027-01-01T12:00:00.000Z', now)).toEqual({ expiresInDays: 32, expiresSoon: false });
  });
});
