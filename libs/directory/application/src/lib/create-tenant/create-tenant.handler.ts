import { randomUUID } from 'node:crypto';
import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { tenantDecider } from '@identity/directory-domain';
import { directoryTenantsProjection } from '@identity/directory-data-access';
import { outboxFor, publishAsIs } from '@identity/platform-event-store';
import { inlineProjections } from '@identity/platform-projections';
import { SERVICE_INFRASTRUCTURE, type ServiceInfrastructure } from '@identity/platform-service';
import { newAdminToken } from '../admin-tokens/new-admin-token';
import { CreateTenantCommand, type CreatedTenant } from './create-tenant.command';

@CommandHandler(CreateTenantCommand)
export class CreateTenantHandler implements ICommandHandler<CreateTenantCommand, CreatedTenant> {
  constructor(@Inject(SERVICE_INFRASTRUCTURE) private readonly infrastructure: ServiceInfrastructure) {}

  async execute(command: CreateTenantCommand): Promise<CreatedTenant> {
    const tenantId = randomUUID();
    const { token, tokenId, tokenHash } = newAdminToken();
    const outcome = await this.infrastructure.commands.run({
      streamId: `tenant-${tenantId}`,
      streamType: 'tenant',
      decider: tenantDecider,
      command: { type: 'CreateTenant', tenantId, name: command.name, firstToken: { tokenId, tokenHash } },
      context: { tenantId, correlationId: command.correlationId, actor: 'platform-admin' },
      toOutbox: outboxFor(publishAsIs),
      inTransaction: inlineProjections([directoryTenantsProjection], publishAsIs),
    });
    return { tenantId, name: outcome.state.name, adminToken: token, tokenId };
  }
}
