import { Inject, Injectable } from '@nestjs/common';
import { directoryTenantsProjection } from '@identity/directory-data-access';
import { DirectoryRuleViolation, tenantDecider, type TenantCommand } from '@identity/directory-domain';
import { outboxFor, publishAsIs } from '@identity/platform-event-store';
import { inlineProjections } from '@identity/platform-projections';
import { ProblemError, SERVICE_INFRASTRUCTURE, type ServiceInfrastructure } from '@identity/platform-service';
import { TenantAccessQueries } from '@identity/platform-tenancy';
import { newAdminToken } from './new-admin-token';

/** A company's admin API tokens: issued (shown once), listed (never shown again), revoked. */
@Injectable()
export class AdminTokensService {
  constructor(
    @Inject(SERVICE_INFRASTRUCTURE) private readonly infrastructure: ServiceInfrastructure,
    @Inject(TenantAccessQueries) private readonly tenants: TenantAccessQueries,
  ) {}

  async issue(tenantId: string, label: string, correlationId: string): Promise<{ tokenId: string; token: string; label: string }> {
    const { token, tokenId, tokenHash } = newAdminToken();
    await this.run(tenantId, correlationId, { type: 'IssueAdminToken', tenantId, tokenId, tokenHash, label });
    return { tokenId, token, label };
  }

  async revoke(tenantId: string, tokenId: string, correlationId: string): Promise<void> {
    await this.run(tenantId, correlationId, { type: 'RevokeAdminToken', tenantId, tokenId });
  }

  list(tenantId: string, page: { offset: number; limit: number; sort: string }) {
    return this.tenants.tokens(tenantId, page);
  }

  private async run(tenantId: string, correlationId: string, command: TenantCommand): Promise<void> {
    try {
      await this.infrastructure.commands.run({
        streamId: `tenant-${tenantId}`,
        streamType: 'tenant',
        decider: tenantDecider,
        command,
        context: { tenantId, correlationId, actor: 'tenant-admin' },
        toOutbox: outboxFor(publishAsIs),
        inTransaction: inlineProjections([directoryTenantsProjection], publishAsIs),
      });
    } catch (error) {
      if (error instanceof DirectoryRuleViolation) throw new ProblemError({ status: error.code === 'token-not-found' ? 404 : 400, title: error.code, detail: error.message });
      throw error;
    }
  }
}
