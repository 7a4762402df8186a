import { deciderSpec } from '@identity/platform-testing';
import { ssoConfigurationDecider, type SsoConfiguration, type SsoConfigurationEvent, type TrustedCertificate } from './sso-configuration.decide';

const tenantId = '6f1c2d0e-8d1b-4a8e-9a55-0b6a0f6f2a11';
const certificate = (thumbprint: string): TrustedCertificate => ({
  pem: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n',
  subject: 'CN=Microsoft Azure Federated SSO Certificate',
  thumbprint,
  sha1Thumbprint: thumbprint.slice(0, 40),
  notBefore: '2026-01-01T00:00:00.000Z',
  notAfter: '2029-01-01T00:00:00.000Z',
});
const azure = {
  enabled: true,
  idp: 'azure-ad' as const,
  signInUrl: 'https://login.microsoftonline.com/0e8f1b8a-1d2c-4e5f-8a9b-0c1d2e3f4a5b/saml2',
  issuer: 'https://sts.windows.net/0e8f1b8a-1d2c-4e5f-8a9b-0c1d2e3f4a5b/',
  signOutUrl: 'https://login.microsoftonline.com/common/wsfederation?wa=wsignout1.0',
  adminRole: null,
};
const configured = (data: Partial<SsoConfiguration>): SsoConfigurationEvent => ({
  type: 'SsoConfigured',
  data: { tenantId, ...azure, certificates: [certificate('A'.repeat(64))], ...data },
});
const ended = (reason: string, consoleAdminsOnly = false): SsoConfigurationEvent => ({ type: 'SsoSessionsEnded', data: { tenantId, reason, consoleAdminsOnly } as never });
const spec = deciderSpec(ssoConfigurationDecider);

describe('SSO configuration', () => {
  it('records the whole configuration when the admin enables SSO with everything in place', () => {
    spec
      .given([configured({ enabled: false })])
      .when({ type: 'ConfigureSso', tenantId, settings: azure, allowLoopbackUrls: false })
      .then([configured({})]);
  });

  it('keeps the wsignout1.0 sign-out URL that avoids AADSTS750054 exactly usable', () => {
    spec
      .given([configured({ signOutUrl: null })])
      .when({ type: 'ConfigureSso', tenantId, settings: azure, allowLoopbackUrls: false })
      .then([configured({ signOutUrl: 'https://login.microsoftonline.com/common/wsfederation?wa=wsignout1.0' })]);
  });

  it('records nothing when nothing changes', () => {
    spec.given([configured({})]).when({ type: 'ConfigureSso', tenantId, settings: azure, allowLoopbackUrls: false }).then([]);
  });

  it('enables SSO and trusts a certificate in one change, or neither when the settings are refused', () => {
    const added = certificate('B'.repeat(64));
    spec.given([]).when({ type: 'ConfigureSso', tenantId, settings: azure, allowLoopbackUrls: false, certificate: added }).then([configured({ certificates: [added] })]);
    spec
      .given([configured({ enabled: false })])
      .when({ type: 'ConfigureSso', tenantId, settings: azure, allowLoopbackUrls: false, certificate: added })
      .then([configured({ certificates: [certificate('A'.repeat(64)), added] })]);
    spec.given([]).when({ type: 'ConfigureSso', tenantId, settings: { ...azure, signInUrl: 'http://login.example.com/saml2' }, allowLoopbackUrls: false, certificate: added }).thenThrows({ code: 'invalid-url' });
    spec.given([configured({})]).when({ type: 'ConfigureSso', tenantId, settings: azure, allowLoopbackUrls: false, certificate: certificate('A'.repeat(64)) }).then([]);
  });

  it('refuses to enable SSO without a certificate, naming what is missing', () => {
    spec
      .given([])
      .when({ type: 'ConfigureSso', tenantId, settings: azure, allowLoopbackUrls: false })
      .thenThrows({ code: 'incomplete', message: expect.stringContaining('a signing certificate') });
  });

  it.each(['http://login.example.com/saml2', 'ftp://login.example.com', 'not a url', 'https://user:pw@login.example.com/'])('refuses the sign-in URL %s', (signInUrl) => {
    spec.given([configured({})]).when({ type: 'ConfigureSso', tenantId, settings: { ...azure, signInUrl }, allowLoopbackUrls: false }).thenThrows({ code: 'invalid-url' });
  });

  it('accepts http on loopback only where development allows it', () => {
    const settings = { ...azure, signInUrl: 'http://localhost:8080/saml2' };
    spec.given([configured({})]).when({ type: 'ConfigureSso', tenantId, settings, allowLoopbackUrls: false }).thenThrows({ code: 'invalid-url' });
    spec.given([configured({})]).when({ type: 'ConfigureSso', tenantId, settings, allowLoopbackUrls: true }).then([configured({ signInUrl: 'http://localhost:8080/saml2' })]);
  });

  it('names the Azure AD app role that makes a console admin, or none', () => {
    spec
      .given([configured({})])
      .when({ type: 'ConfigureSso', tenantId, settings: { ...azure, adminRole: ' Console.Admin ' }, allowLoopbackUrls: false })
      .then([configured({ adminRole: 'Console.Admin' }), ended('sso-admin-role-changed', true)]);
    spec.given([configured({})]).when({ type: 'ConfigureSso', tenantId, settings: { ...azure, adminRole: 'Console Admin' }, allowLoopbackUrls: false }).thenThrows({ code: 'invalid-role' });
  });

  it('holds two certificates for a rollover, and no more', () => {
    const second = certificate('B'.repeat(64));
    spec.given([configured({})]).when({ type: 'AddSigningCertificate', tenantId, certificate: second }).then([configured({ certificates: [certificate('A'.repeat(64)), second] })]);
    spec
      .given([configured({ certificates: [certificate('A'.repeat(64)), second] })])
      .when({ type: 'AddSigningCertificate', tenantId, certificate: certificate('C'.repeat(64)) })
      .thenThrows({ code: 'too-many-certificates' });
  });

  it('removes a certificate named by its SHA-256 thumbprint or by the SHA-1 one Azure AD shows', () => {
    const rollover = configured({ certificates: [certificate('A'.repeat(64)), certificate('B'.repeat(64))] });
    spec.given([rollover]).when({ type: 'RemoveSigningCertificate', tenantId, thumbprint: 'B'.repeat(64) }).then([configured({}), ended('sso-certificate-removed')]);
    spec.given([rollover]).when({ type: 'RemoveSigningCertificate', tenantId, thumbprint: 'B'.repeat(40) }).then([configured({}), ended('sso-certificate-removed')]);
    spec.given([rollover]).when({ type: 'RemoveSigningCertificate', tenantId, thumbprint: 'C'.repeat(40) }).thenThrows({ code: 'certificate-not-found' });
  });

  it('does not let the last certificate go while SSO is on', () => {
    spec.given([configured({})]).when({ type: 'RemoveSigningCertificate', tenantId, thumbprint: 'A'.repeat(64) }).thenThrows({ code: 'incomplete' });
    spec
      .given([configured({ enabled: false })])
      .when({ type: 'RemoveSigningCertificate', tenantId, thumbprint: 'A'.repeat(64) })
      .then([configured({ enabled: false, certificates: [] })]);
  });

  it('ends the company’s sessions when it withdraws the trust they rest on, and not for a rollover or while SSO was off', () => {
    const next = certificate('B'.repeat(64));
    spec.given([configured({})]).when({ type: 'ConfigureSso', tenantId, settings: { ...azure, enabled: false }, allowLoopbackUrls: false }).then([configured({ enabled: false }), ended('sso-disabled')]);
    spec
      .given([configured({})])
      .when({ type: 'ConfigureSso', tenantId, settings: { ...azure, issuer: 'https://sts.windows.net/other/' }, allowLoopbackUrls: false })
      .then([configured({ issuer: 'https://sts.windows.net/other/' }), ended('sso-issuer-changed')]);
    spec.given([configured({})]).when({ type: 'AddSigningCertificate', tenantId, certificate: next }).then([configured({ certificates: [certificate('A'.repeat(64)), next] })]);
    spec
      .given([configured({ enabled: false })])
      .when({ type: 'ConfigureSso', tenantId, settings: { ...azure, enabled: false, issuer: 'https://sts.windows.net/other/' }, allowLoopbackUrls: false })
      .then([configured({ enabled: false, issuer: 'https://sts.windows.net/other/' })]);
  });
});
