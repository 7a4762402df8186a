import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { DirectoryRuleViolation, siteDecider, siteNameReservations } from '@identity/directory-domain';
import { directorySitesProjection, SiteQueries } from '@identity/directory-data-access';
import { outboxFor, publishAsIs } from '@identity/platform-event-store';
import { inlineProjections } from '@identity/platform-projections';
import { SERVICE_INFRASTRUCTURE, type ServiceInfrastructure } from '@identity/platform-service';
import { RenameSiteCommand } from './rename-site.command';

@CommandHandler(RenameSiteCommand)
export class RenameSiteHandler implements ICommandHandler<RenameSiteCommand, { siteId: string; name: string }> {
  constructor(
    @Inject(SERVICE_INFRASTRUCTURE) private readonly infrastructure: ServiceInfrastructure,
    @Inject(SiteQueries) private readonly sites: SiteQueries,
  ) {}

  async execute(command: RenameSiteCommand) {
    // A site of another tenant is as absent as one that never existed.
    if (!(await this.sites.get(command.tenantId, command.siteId))) throw new DirectoryRuleViolation('site-not-found', 'no such site');
    const outcome = await this.infrastructure.commands.run({
      streamId: `site-${command.siteId}`,
      streamType: 'site',
      decider: siteDecider,
      command: { type: 'RenameSite', name: command.name },
      context: { tenantId: command.tenantId, correlationId: command.correlationId },
      reservations: siteNameReservations(command.tenantId),
      toOutbox: outboxFor(publishAsIs),
      inTransaction: inlineProjections([directorySitesProjection], publishAsIs),
    });
    return { siteId: command.siteId, name: outcome.state.name };
  }
}
