import { deciderSpec } from '@identity/platform-testing';
import { scimSettingsDecider, type ScimSettingsEvent } from './scim-settings.decide';

const tenantId = '6f1c2d0e-8d1b-4a8e-9a55-0b6a0f6f2a11';
const spec = deciderSpec(scimSettingsDecider);
const enabled: ScimSettingsEvent[] = [
  { type: 'ScimProvisioningEnabled', data: { tenantId, idp: 'azure-ad' } },
  { type: 'ScimTokenIssued', data: { tenantId, tokenId: 't1', tokenHash: 'h1' } },
];

describe('SCIM settings', () => {
  it('enables with a first token', () => {
    spec.given([]).when({ type: 'EnableScim', tenantId, idp: 'azure-ad', token: { tokenId: 't1', tokenHash: 'h1' } }).then(enabled);
  });

  it('re-enabling revokes the old tokens and issues a new one', () => {
    spec
      .given(enabled)
      .when({ type: 'EnableScim', tenantId, idp: 'okta', token: { tokenId: 't2', tokenHash: 'h2' } })
      .then([
        { type: 'ScimTokenRevoked', data: { tenantId, tokenId: 't1' } },
        { type: 'ScimProvisioningEnabled', data: { tenantId, idp: 'okta' } },
        { type: 'ScimTokenIssued', data: { tenantId, tokenId: 't2', tokenHash: 'h2' } },
      ]);
  });

  it('rotates with an overlap window, or revokes at once with none', () => {
    const now = new Date('2026-11-30T12:00:00.000Z');
    spec
      .given(enabled)
      .when({ type: 'RotateScimToken', token: { tokenId: 't2', tokenHash: 'h2' }, now, overlapSeconds: 3600 })
      .then([
        { type: 'ScimTokenRetiring', data: { tenantId, tokenId: 't1', validUntil: '2026-11-30T13:00:00.000Z' } },
        { type: 'ScimTokenIssued', data: { tenantId, tokenId: 't2', tokenHash: 'h2' } },
      ]);
    spec
      .given(enabled)
      .when({ type: 'RotateScimToken', token: { tokenId: 't2', tokenHash: 'h2' }, now, overlapSeconds: 0 })
      .then([
        { type: 'ScimTokenRevoked', data: { tenantId, tokenId: 't1' } },
        { type: 'ScimTokenIssued', data: { tenantId, tokenId: 't2', tokenHash: 'h2' } },
      ]);
    spec.given([]).when({ type: 'RotateScimToken', token: { tokenId: 't2', tokenHash: 'h2' }, now, overlapSeconds: 0 }).thenThrows({ code: 'not-enabled' });
  });

  it('ends a token still retiring from an earlier rotation by the new overlap, at once with none', () => {
    const now = new Date('2026-11-30T12:00:00.000Z');
    const rotated = [
      ...enabled,
      { type: 'ScimTokenRetiring' as const, data: { tenantId, tokenId: 't1', validUntil: '2026-12-01T12:00:00.000Z' } },
      { type: 'ScimTokenIssued' as const, data: { tenantId, tokenId: 't2', tokenHash: 'h2' } },
    ];
    spec
      .given(rotated)
      .when({ type: 'RotateScimToken', token: { tokenId: 't3', tokenHash: 'h3' }, now, overlapSeconds: 0 })
      .then([
        { type: 'ScimTokenRevoked', data: { tenantId, tokenId: 't1' } },
        { type: 'ScimTokenRevoked', data: { tenantId, tokenId: 't2' } },
        { type: 'ScimTokenIssued', data: { tenantId, tokenId: 't3', tokenHash: 'h3' } },
      ]);
    spec
      .given(rotated)
      .when({ type: 'RotateScimToken', token: { tokenId: 't3', tokenHash: 'h3' }, now, overlapSeconds: 3600 })
      .then([
        { type: 'ScimTokenRetiring', data: { tenantId, tokenId: 't1', validUntil: '2026-11-30T13:00:00.000Z' } },
        { type: 'ScimTokenRetiring', data: { tenantId, tokenId: 't2', validUntil: '2026-11-30T13:00:00.000Z' } },
        { type: 'ScimTokenIssued', data: { tenantId, tokenId: 't3', tokenHash: 'h3' } },
      ]);
    // One ending before the new overlap does keeps its end.
    spec
      .given(rotated)
      .when({ type: 'RotateScimToken', token: { tokenId: 't3', tokenHash: 'h3' }, now, overlapSeconds: 2 * 86_400 })
      .then([
        { type: 'ScimTokenRetiring', data: { tenantId, tokenId: 't2', validUntil: '2026-12-02T12:00:00.000Z' } },
        { type: 'ScimTokenIssued', data: { tenantId, tokenId: 't3', tokenHash: 'h3' } },
      ]);
  });

  it('sets user retrieval once', () => {
    spec.given(enabled).when({ type: 'SetUserRetrieval', retrieval: 'idp-only' }).then([{ type: 'ScimUserRetrievalSet', data: { tenantId, retrieval: 'idp-only' } }]);
    spec.given(enabled).when({ type: 'SetUserRetrieval', retrieval: 'all' }).then([]);
  });
});
