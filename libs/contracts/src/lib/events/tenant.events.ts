import { defineEvent, objectSchema, text, uuid } from '../event-definition';
import { TOPICS } from '../topics';

export interface TenantCreatedData {
  tenantId: string;
  name: string;
}

export const TenantCreated = defineEvent<'TenantCreated', TenantCreatedData>({
  eventType: 'TenantCreated',
  schemaVersion: 1,
  topic: TOPICS.directoryTenant,
  summary: 'A company was set up on the platform.',
  dataSchema: objectSchema({ tenantId: uuid, name: text(200) }),
  example: { tenantId: '6f1c2d0e-8d1b-4a8e-9a55-0b6a0f6f2a11', name: 'Contoso Ltd' },
});

export interface TenantAdminTokenIssuedData {
  tenantId: string;
  tokenId: string;
  /** SHA-256 of the token, hex: services authenticate admins without ever seeing the token. */
  tokenHash: string;
  label: string;
}

export const TenantAdminTokenIssued = defineEvent<'TenantAdminTokenIssued', TenantAdminTokenIssuedData>({
  eventType: 'TenantAdminTokenIssued',
  schemaVersion: 1,
  topic: TOPICS.directoryTenant,
  summary: 'An admin API token was issued for a company (only its hash is published).',
  dataSchema: objectSchema({ tenantId: uuid, tokenId: uuid, tokenHash: { type: 'string', pattern: '^[0-9a-f]{64}$' }, label: text(100) }),
  example: {
    tenantId: '6f1c2d0e-8d1b-4a8e-9a55-0b6a0f6f2a11',
    tokenId: '0d3f4c36-51b4-4f0c-8a43-f5f0a7e0c9b2',
    tokenHash: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
    label: 'initial',
  },
});

export interface TenantAdminTokenRevokedData {
  tenantId: string;
  tokenId: string;
}

export const TenantAdminTokenRevoked = defineEvent<'TenantAdminTokenRevoked', TenantAdminTokenRevokedData>({
  eventType: 'TenantAdminTokenRevoked',
  schemaVersion: 1,
  topic: TOPICS.directoryTenant,
  summary: 'An admin API token of a company was revoked.',
  dataSchema: objectSchema({ tenantId: uuid, tokenId: uuid }),
  example: { tenantId: '6f1c2d0e-8d1b-4a8e-9a55-0b6a0f6f2a11', tokenId: '0d3f4c36-51b4-4f0c-8a43-f5f0a7e0c9b2' },
});
