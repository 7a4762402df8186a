import { Inject, Injectable } from '@nestjs/common';
import { outboxFor, type InTransaction, type IntegrationMapper } from '@identity/platform-event-store';
import { around, inlineProjections } from '@identity/platform-projections';
import { certificateExpiry, CertificateRefused, inspectCertificateUpload } from '@identity/platform-saml';
import { ProblemError, SERVICE_CONFIG, SERVICE_INFRASTRUCTURE, type ServiceConfig, type ServiceInfrastructure } from '@identity/platform-service';
import { endCompanySessions, loginAccountsProjection, ssoConfigurationsProjection, SsoQueries } from '@identity/sso-data-access';
import { ssoConfigurationDecider, SsoRuleViolation, type SsoConfiguration, type SsoConfigurationCommand, type SsoSettings } from '@identity/sso-domain';
import { serviceProviderOf } from './sso.config';

/** Published SsoConfigured carries thumbprints, not certificates: consumers need to know what changed, not to verify. */
export const publishSsoConfigured: IntegrationMapper = (event) => {
  if (event.type !== 'SsoConfigured') return null;
  const { certificates, adminRole: _adminRole, ...settings } = event.data as unknown as SsoConfiguration;
  return { eventType: 'SsoConfigured', data: { ...settings, certificateThumbprints: certificates.map((certificate) => certificate.thumbprint) } };
};

/** The admin console's "Single Sign-On Integration". */
@Injectable()
export class SsoConfigurationService {
  constructor(
    @Inject(SERVICE_INFRASTRUCTURE) private readonly infrastructure: ServiceInfrastructure,
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
    @Inject(SsoQueries) private readonly queries: SsoQueries,
  ) {}

  /** The settings, and a certificate file to trust as well when one is given: stored together or not at all. */
  async configure(tenantId: string, settings: SsoSettings, correlationId: string, certificateUpload?: Buffer) {
    const certificate = certificateUpload === undefined ? undefined : inspected(certificateUpload);
    await this.run(tenantId, correlationId, { type: 'ConfigureSso', tenantId, settings, allowLoopbackUrls: this.config.bool('SSO_ALLOW_HTTP_LOOPBACK'), certificate });
    return this.describe(tenantId);
  }

  async addCertificate(tenantId: string, upload: Buffer, correlationId: string) {
    await this.run(tenantId, correlationId, { type: 'AddSigningCertificate', tenantId, certificate: inspected(upload) });
    return this.describe(tenantId);
  }

  async removeCertificate(tenantId: string, thumbprint: string, correlationId: string) {
    // As copied from Azure AD or openssl: colons and spaces between the hex pairs are fine.
    await this.run(tenantId, correlationId, { type: 'RemoveSigningCertificate', tenantId, thumbprint: thumbprint.replace(/[\s:]/g, '').toUpperCase() });
    return this.describe(tenantId);
  }

  /** What the SSO panel shows, including the values the admin copies into Azure AD. */
  async describe(tenantId: string) {
    const configuration = await this.queries.configuration(tenantId);
    const sp = serviceProviderOf(this.config);
    const certificates = (configuration?.certificates ?? []).map(({ pem: _pem, ...certificate }) => ({ ...certificate, ...certificateExpiry(certificate.notAfter) }));
    return {
      tenantId,
      enabled: configuration?.enabled ?? false,
      idp: configuration?.idp ?? 'azure-ad',
      signInUrl: configuration?.signInUrl ?? null,
      issuer: configuration?.issuer ?? null,
      signOutUrl: configuration?.signOutUrl ?? null,
      adminRole: configuration?.adminRole ?? null,
      certificates,
      warnings: certificates
        .filter((certificate) => certificate.expiresSoon)
        .map((certificate) =>
          certificate.expiresInDays < 0
            ? `The signing certificate ${certificate.sha1Thumbprint} expired ${-certificate.expiresInDays} days ago: Azure AD signs with a newer one; add it and remove this one.`
            : `The signing certificate ${certificate.sha1Thumbprint} expires in ${certificate.expiresInDays} days: add the new one from Azure AD before it does.`,
        ),
      serviceProvider: {
        entityId: sp.entityId,
        replyUrl: sp.acsUrl,
        signOnUrl: `${sp.baseUrl}/sso/login/${tenantId}`,
        logoutUrl: `${sp.baseUrl}/sso/logout`,
        metadataUrl: `${sp.baseUrl}/saml2/metadata`,
      },
    };
  }

  private async run(tenantId: string, correlationId: string, command: SsoConfigurationCommand): Promise<void> {
    try {
      await this.infrastructure.commands.run({
        streamId: `sso-configuration-${tenantId}`,
        streamType: 'sso-configuration',
        decider: ssoConfigurationDecider,
        command,
        context: { tenantId, correlationId, actor: 'tenant-admin' },
        toOutbox: outboxFor(publishSsoConfigured),
        inTransaction: configurationAndSessions,
      });
    } catch (error) {
      throw asProblem(error);
    }
  }
}

// Ending sessions updates rows a login-accounts rebuild locks: waited for before writing too.
const configurationInForce = inlineProjections([ssoConfigurationsProjection], publishSsoConfigured, [loginAccountsProjection]);

/** The configuration in force, and the sessions a change ends, with the change: no sign-in on withdrawn trust outlives it. */
const configurationAndSessions: InTransaction = around(configurationInForce, async (manager, events) => {
  await configurationInForce(manager, events);
  for (const event of events) {
    if (event.type !== 'SsoSessionsEnded') continue;
    const { tenantId, reason, consoleAdminsOnly } = event.data as { tenantId: string; reason: string; consoleAdminsOnly: boolean };
    await endCompanySessions(manager, tenantId, reason, consoleAdminsOnly);
  }
});

export function asProblem(error: unknown): unknown {
  if (!(error instanceof SsoRuleViolation)) return error;
  const status = error.code === 'certificate-not-found' ? 404 : error.code === 'too-many-certificates' || error.code === 'incomplete' ? 409 : 400;
  return new ProblemError({ status, title: error.code, detail: error.message });
}

/** A certificate file as uploaded, or the refusal that names what it is (422). */
function inspected(upload: Buffer) {
  try {
    return inspectCertificateUpload(upload);
  } catch (error) {
    if (error instanceof CertificateRefused) throw new ProblemError({ status: 422, title: 'certificate-refused', detail: error.message, reason: error.reason });
    throw error;
  }
}
