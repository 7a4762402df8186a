import { Inject, Injectable } from '@nestjs/common';
import { scimUsersProjection } from '@identity/identity-data-access';
import { userDecider, usernameReservations, type UserCommand, type UserState } from '@identity/identity-domain';
import { outboxFor, publishAsIs, type CommandOutcome } from '@identity/platform-event-store';
import { inlineProjections } from '@identity/platform-projections';
import { SERVICE_INFRASTRUCTURE, type ServiceInfrastructure } from '@identity/platform-service';

/**
 * The one way this service changes a user: through the User aggregate, with the username
 * reservations, the outbox and the SCIM view in the same transaction.
 */
@Injectable()
export class UserWriter {
  constructor(@Inject(SERVICE_INFRASTRUCTURE) private readonly infrastructure: ServiceInfrastructure) {}

  run(request: { tenantId: string; userId: string; command: UserCommand; correlationId: string; ifMatch?: number }): Promise<CommandOutcome<UserState>> {
    return this.infrastructure.commands.run({
      streamId: `user-${request.userId}`,
      streamType: 'user',
      decider: userDecider,
      command: request.command,
      context: { tenantId: request.tenantId, correlationId: request.correlationId, actor: 'scim' },
      ifMatch: request.ifMatch,
      reservations: usernameReservations,
      toOutbox: outboxFor(publishAsIs),
      inTransaction: inlineProjections([scimUsersProjection], publishAsIs),
    });
  }
}
