import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { directoryUsersProjection, SiteQueries, UserQueries, type AdminUserRow } from '@identity/directory-data-access';
import { userDecider, usernameReservations, UserRuleViolation, type UserCommand, type UserEvent, type UserState } from '@identity/identity-domain';
import { outboxFor, publishAsIs, ReservationConflictError, StreamVersionConflictError } from '@identity/platform-event-store';
import { inlineProjections } from '@identity/platform-projections';
import { ProblemError, SERVICE_INFRASTRUCTURE, type ServiceInfrastructure } from '@identity/platform-service';
import { AdminInputError, type AdminUserEdit } from './admin-user.input';

/** A user as a dry run's edits would leave them. */
export interface PreviewedUser {
  state: UserState;
  version: number;
}

/** Users as admins manage them in the console: through the same User aggregate the IdP writes to. */
@Injectable()
export class AdminUsersService {
  constructor(
    @Inject(SERVICE_INFRASTRUCTURE) private readonly infrastructure: ServiceInfrastructure,
    @Inject(UserQueries) private readonly users: UserQueries,
    @Inject(SiteQueries) private readonly sites: SiteQueries,
  ) {}

  async create(tenantId: string, input: AdminUserEdit & { userName: string }, correlationId: string): Promise<AdminUserRow> {
    const userId = randomUUID();
    const site = input.siteId ? await this.site(tenantId, input.siteId) : null;
    await this.run(tenantId, userId, correlationId, {
      type: 'ProvisionUser',
      actor: { kind: 'admin' },
      userId,
      userName: input.userName,
      externalId: null,
      active: input.active ?? true,
      profile: {
        givenName: input.changes.givenName ?? null,
        familyName: input.changes.familyName ?? null,
        email: input.changes.email ?? null,
        title: input.changes.title ?? null,
        department: input.changes.department ?? null,
        mobilePhone: input.changes.mobilePhone ?? null,
        workPhone: input.changes.workPhone ?? null,
        locale: input.changes.locale ?? null,
        timezone: input.changes.timezone ?? null,
      },
      site,
      visibleInDirectory: input.visibleInDirectory ?? true,
    });
    return (await this.users.get(tenantId, userId))!;
  }

  async edit(tenantId: string, userId: string, edit: AdminUserEdit, correlationId: string, ifMatch?: number): Promise<AdminUserRow> {
    await this.existing(tenantId, userId);
    await this.run(tenantId, userId, correlationId, await this.editCommand(tenantId, edit), ifMatch);
    return (await this.users.get(tenantId, userId))!;
  }

  /**
   * The events an edit would store, without storing them (dry runs): at the stream's current
   * version, or on the user as earlier previews left them (`after`, a CSV's earlier rows).
   */
  async preview(tenantId: string, userId: string, edit: AdminUserEdit, after?: PreviewedUser): Promise<{ version: number; events: UserEvent[]; previewed: PreviewedUser }> {
    const command = await this.editCommand(tenantId, edit);
    const { version, events, state } = await this.infrastructure.commands.dryRun({
      streamId: `user-${userId}`,
      decider: userDecider,
      command,
      loadState: after && (async () => after),
    });
    return { version, events, previewed: { state, version: version + events.length } };
  }

  async delete(tenantId: string, userId: string, correlationId: string): Promise<void> {
    await this.existing(tenantId, userId);
    await this.run(tenantId, userId, correlationId, { type: 'DeleteUser', actor: { kind: 'admin' } });
  }

  async setVisibility(tenantId: string, userIds: readonly string[], visible: boolean, correlationId: string): Promise<{ userId: string; outcome: string }[]> {
    const results: { userId: string; outcome: string }[] = [];
    for (const userId of userIds) {
      try {
        await this.existing(tenantId, userId);
        const outcome = await this.run(tenantId, userId, correlationId, { type: 'SetDirectoryVisibility', actor: { kind: 'admin' }, visible });
        results.push({ userId, outcome: outcome.events.length > 0 ? 'changed' : 'unchanged' });
      } catch (error) {
        results.push({ userId, outcome: error instanceof ProblemError ? String(error.problem.detail) : 'failed' });
      }
    }
    return results;
  }

  async existing(tenantId: string, userId: string): Promise<AdminUserRow> {
    const user = await this.users.get(tenantId, userId);
    if (!user) throw new ProblemError({ status: 404, title: 'Not Found', detail: 'no such user' });
    return user;
  }

  private async editCommand(tenantId: string, edit: AdminUserEdit): Promise<UserCommand> {
    const site = edit.siteId ? await this.site(tenantId, edit.siteId) : undefined;
    const changes = { ...edit.changes, ...(edit.userName !== undefined ? { userName: edit.userName } : {}) };
    return { type: 'EditByAdmin', changes, site, visible: edit.visibleInDirectory, active: edit.active };
  }

  private async site(tenantId: string, siteId: string) {
    const site = await this.sites.get(tenantId, siteId);
    if (!site) throw new AdminInputError(`no site ${siteId} in this company`, 'siteId');
    return { siteId: site.siteId, siteName: site.name };
  }

  private async run(tenantId: string, userId: string, correlationId: string, command: UserCommand, ifMatch?: number) {
    try {
      return await this.infrastructure.commands.run({
        streamId: `user-${userId}`,
        streamType: 'user',
        decider: userDecider,
        command,
        context: { tenantId, correlationId, actor: 'tenant-admin' },
        ifMatch,
        reservations: usernameReservations,
        toOutbox: outboxFor(publishAsIs),
        inTransaction: inlineProjections([directoryUsersProjection], publishAsIs),
      });
    } catch (error) {
      // Without If-Match, a conflict means the command runner's retries all met other writers (a SCIM cycle on this user): no precondition failed.
      if (ifMatch === undefined && error instanceof StreamVersionConflictError) {
        throw new ProblemError({ status: 409, title: 'conflict', detail: 'the user was being changed by other requests at the same moment; try again' });
      }
      throw asProblem(error);
    }
  }
}

/** The user rules in JSON problem details, naming the locked fields when the IdP masters them. */
export function asProblem(error: unknown): unknown {
  if (error instanceof UserRuleViolation) {
    const status = { 'idp-mastered': 409, 'site-locked': 409, 'user-exists': 409, 'user-not-found': 404, 'invalid-value': 400, 'admin-only': 403 }[error.code];
    return new ProblemError({ status, title: error.code, detail: error.message, ...(error.fields.length > 0 ? { fields: error.fields } : {}) });
  }
  if (error instanceof ReservationConflictError && error.scope === 'username') {
    return new ProblemError({ status: 409, title: 'username-taken', detail: `the username "${error.key}" is already taken` });
  }
  if (error instanceof AdminInputError) return new ProblemError({ status: 400, title: 'invalid-value', detail: error.message, ...(error.field ? { fields: [error.field] } : {}) });
  if (error instanceof Error && error.name === 'StreamVersionConflictError') {
    return new ProblemError({ status: 412, title: 'Precondition Failed', detail: 'the user changed since the version given in If-Match' });
  }
  return error;
}
