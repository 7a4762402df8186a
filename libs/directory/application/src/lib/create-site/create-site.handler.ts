import { randomUUID } from 'node:crypto';
import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { siteDecider, siteNameReservations } from '@identity/directory-domain';
import { directorySitesProjection } from '@identity/directory-data-access';
import { outboxFor, publishAsIs } from '@identity/platform-event-store';
import { inlineProjections } from '@identity/platform-projections';
import { SERVICE_INFRASTRUCTURE, type ServiceInfrastructure } from '@identity/platform-service';
import { CreateSiteCommand } from './create-site.command';

@CommandHandler(CreateSiteCommand)
export class CreateSiteHandler implements ICommandHandler<CreateSiteCommand, { siteId: string; name: string }> {
  constructor(@Inject(SERVICE_INFRASTRUCTURE) private readonly infrastructure: ServiceInfrastructure) {}

  async execute(command: CreateSiteCommand) {
    const siteId = randomUUID();
    const outcome = await this.infrastructure.commands.run({
      streamId: `site-${siteId}`,
      streamType: 'site',
      decider: siteDecider,
      command: { type: 'CreateSite', siteId, name: command.name },
      context: { tenantId: command.tenantId, correlationId: command.correlationId },
      reservations: siteNameReservations(command.tenantId),
      toOutbox: outboxFor(publishAsIs),
      inTransaction: inlineProjections([directorySitesProjection], publishAsIs),
    });
    return { siteId, name: outcome.state.name };
  }
}
