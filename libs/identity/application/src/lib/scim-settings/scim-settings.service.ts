import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { scimSettingsProjection, ScimQueries, type UserRetrievalMode } from '@identity/identity-data-access';
import { scimSettingsDecider, ScimSettingsViolation, type IdpKind, type ScimSettingsCommand } from '@identity/identity-domain';
import { publishAsIs } from '@identity/platform-event-store';
import { inlineProjections } from '@identity/platform-projections';
import { ProblemError, SERVICE_CONFIG, SERVICE_INFRASTRUCTURE, type ServiceConfig, type ServiceInfrastructure } from '@identity/platform-service';

export interface ScimConnection {
  scimUrl: string;
  /** Shown once: only its hash is kept. */
  token: string;
  idp: IdpKind;
}

/** The admin console's "User Provisioning Integration": SCIM on or off, its token, user retrieval. */
@Injectable()
export class ScimSettingsService {
  constructor(
    @Inject(SERVICE_INFRASTRUCTURE) private readonly infrastructure: ServiceInfrastructure,
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
    @Inject(ScimQueries) private readonly queries: ScimQueries,
  ) {}

  scimUrl(tenantId: string): string {
    return `${this.config.string('PUBLIC_BASE_URL').replace(/\/+$/, '')}/scim/v2/${tenantId}`;
  }

  async enable(tenantId: string, idp: IdpKind, correlationId: string): Promise<ScimConnection> {
    const token = newScimToken();
    await this.run(tenantId, correlationId, { type: 'EnableScim', tenantId, idp, token: token.stored });
    return { scimUrl: this.scimUrl(tenantId), token: token.secret, idp };
  }

  async rotate(tenantId: string, overlapSeconds: number, correlationId: string): Promise<ScimConnection> {
    const token = newScimToken();
    await this.run(tenantId, correlationId, { type: 'RotateScimToken', token: token.stored, now: new Date(), overlapSeconds });
    const settings = await this.queries.settings(tenantId);
    return { scimUrl: this.scimUrl(tenantId), token: token.secret, idp: settings!.idp! };
  }

  async revokeTokens(tenantId: string, correlationId: string): Promise<void> {
    await this.run(tenantId, correlationId, { type: 'RevokeScimTokens' });
  }

  async disable(tenantId: string, correlationId: string): Promise<void> {
    await this.run(tenantId, correlationId, { type: 'DisableScim' });
  }

  async setRetrieval(tenantId: string, retrieval: UserRetrievalMode, correlationId: string): Promise<void> {
    await this.run(tenantId, correlationId, { type: 'SetUserRetrieval', retrieval });
  }

  async setNewUsersVisibility(tenantId: string, visibleInDirectory: boolean, correlationId: string): Promise<void> {
    await this.run(tenantId, correlationId, { type: 'SetNewUsersVisibility', visibleInDirectory });
  }

  async describe(tenantId: string) {
    const settings = await this.queries.settings(tenantId);
    return {
      tenantId,
      enabled: settings?.enabled ?? false,
      idp: settings?.idp ?? null,
      userRetrieval: settings?.retrieval ?? 'all',
      newUsersVisibleInDirectory: settings?.newUsersVisible ?? false,
      scimUrl: this.scimUrl(tenantId),
      tokens: settings ? await this.queries.tokens(tenantId) : [],
    };
  }

  private async run(tenantId: string, correlationId: string, command: ScimSettingsCommand): Promise<void> {
    try {
      await this.infrastructure.commands.run({
        streamId: `scim-settings-${tenantId}`,
        streamType: 'scim-settings',
        decider: scimSettingsDecider,
        command,
        context: { tenantId, correlationId, actor: 'tenant-admin' },
        inTransaction: inlineProjections([scimSettingsProjection], publishAsIs),
      });
    } catch (error) {
      if (error instanceof ScimSettingsViolation) {
        throw new ProblemError({ status: error.code === 'not-enabled' ? 409 : 400, title: error.code, detail: error.message });
      }
      throw error;
    }
  }
}

/** 256 random bits behind a recognisable prefix; only the SHA-256 is stored. */
function newScimToken(): { secret: string; stored: { tokenId: string; tokenHash: string } } {
  const secret = `ips_${randomBytes(32).toString('base64url')}`;
  return { secret, stored: { tokenId: randomUUID(), tokenHash: createHash('sha256').update(secret).digest('hex') } };
}
