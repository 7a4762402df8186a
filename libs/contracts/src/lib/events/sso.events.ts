import { defineEvent, nullableText, objectSchema, uuid } from '../event-definition';
import { TOPICS } from '../topics';

export interface SsoConfiguredData {
  tenantId: string;
  enabled: boolean;
  idp: 'azure-ad' | 'saml2';
  /** Null until the admin fills it in (SSO cannot be enabled before). */
  signInUrl: string | null;
  issuer: string | null;
  signOutUrl: string | null;
  /** SHA-256 thumbprints of the signing certificates in use (at most two, for rollover). */
  certificateThumbprints: string[];
}

export const SsoConfigured = defineEvent<'SsoConfigured', SsoConfiguredData>({
  eventType: 'SsoConfigured',
  schemaVersion: 1,
  topic: TOPICS.ssoConfiguration,
  summary: 'A company’s single sign-on configuration changed.',
  dataSchema: objectSchema({
    tenantId: uuid,
    enabled: { type: 'boolean' },
    idp: { enum: ['azure-ad', 'saml2'] },
    signInUrl: nullableText(2048),
    issuer: nullableText(2048),
    signOutUrl: nullableText(2048),
    certificateThumbprints: { type: 'array', maxItems: 2, items: { type: 'string', pattern: '^[0-9A-F]{64}$' } },
  }),
  example: {
    tenantId: '6f1c2d0e-8d1b-4a8e-9a55-0b6a0f6f2a11',
    enabled: true,
    idp: 'azure-ad',
    signInUrl: 'https://login.microsoftonline.com/0e8f1b8a-1d2c-4e5f-8a9b-0c1d2e3f4a5b/saml2',
    issuer: 'https://sts.windows.net/0e8f1b8a-1d2c-4e5f-8a9b-0c1d2e3f4a5b/',
    signOutUrl: 'https://login.microsoftonline.com/common/wsfederation?wa=wsignout1.0',
    certificateThumbprints: ['3A7F0C2B9D4E5F60718293A4B5C6D7E8F90A1B2C3D4E5F60718293A4B5C6D7E8'],
  },
});
