import { Inject, Injectable } from '@nestjs/common';
import { scimUsersProjection } from '@identity/identity-data-access';
import { userDecider, usernameReservations, type UserCommand, type UserEvent, type UserState } from '@identity/identity-domain';
import { GroupCommit, outboxFor, publishAsIs, type CommandOutcome } from '@identity/platform-event-store';
import { catchUpStream, inlineProjections } from '@identity/platform-projections';
import { SERVICE_INFRASTRUCTURE, type ServiceInfrastructure } from '@identity/platform-service';

/**
 * The one way this service changes a user: through the User aggregate, with the username
 * reservations, the outbox and the SCIM view in the same transaction. Concurrent requests (an IdP's
 * provisioning cycle) share transactions: see GroupCommit.
 */
@Injectable()
export class UserWriter {
  private readonly commits: GroupCommit<UserState, UserCommand, UserEvent>;

  constructor(@Inject(SERVICE_INFRASTRUCTURE) private readonly infrastructure: ServiceInfrastructure) {
    this.commits = new GroupCommit(infrastructure.commands, {
      streamType: 'user',
      decider: userDecider,
      reservations: usernameReservations,
      toOutbox: outboxFor(publishAsIs),
      inTransaction: inlineProjections([scimUsersProjection], publishAsIs),
    });
  }

  run(request: { tenantId: string; userId: string; command: UserCommand; correlationId: string; ifMatch?: number; newUser?: boolean }): Promise<CommandOutcome<UserState>> {
    return this.commits.run({
      streamId: `user-${request.userId}`,
      command: request.command,
      context: { tenantId: request.tenantId, correlationId: request.correlationId, actor: 'scim' },
      ifMatch: request.ifMatch,
      newStream: request.newUser,
    });
  }

  /** The user's SCIM view brought up to the store, for changes another service made that the bus has not delivered yet. */
  async catchUpView(userId: string): Promise<void> {
    await this.infrastructure.dataSource.transaction((manager) => catchUpStream(manager, scimUsersProjection, publishAsIs, `user-${userId}`));
  }
}
