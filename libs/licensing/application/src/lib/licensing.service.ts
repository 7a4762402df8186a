import { Inject, Injectable } from '@nestjs/common';
import { licensingLedgerProjection, LicensingQueries } from '@identity/licensing-data-access';
import {
  licenseDecider,
  LicensingRuleViolation,
  subscriptionDecider,
  type AutoAssignmentRule,
  type LicenseCommand,
  type LicenseEvent,
  type SubscriptionCommand,
} from '@identity/licensing-domain';
import { outboxFor, publishAsIs } from '@identity/platform-event-store';
import { inlineProjections } from '@identity/platform-projections';
import { ProblemError, SERVICE_INFRASTRUCTURE, type ServiceInfrastructure } from '@identity/platform-service';

export type AssignOutcome = 'assigned' | 'swapped' | 'unchanged';

/** X Series seats: the subscription per company and one license per user, never oversold. */
@Injectable()
export class LicensingService {
  constructor(
    @Inject(SERVICE_INFRASTRUCTURE) private readonly infrastructure: ServiceInfrastructure,
    @Inject(LicensingQueries) private readonly queries: LicensingQueries,
  ) {}

  async setSeats(tenantId: string, plan: string, seats: number, correlationId: string): Promise<void> {
    await this.subscription(tenantId, correlationId, { type: 'SetPlanSeats', tenantId, plan, seats });
  }

  async setRules(tenantId: string, rules: AutoAssignmentRule[], correlationId: string): Promise<void> {
    await this.subscription(tenantId, correlationId, { type: 'SetAutoAssignmentRules', tenantId, rules });
  }

  async assign(tenantId: string, userId: string, plan: string, swap: boolean, correlationId: string): Promise<AssignOutcome> {
    const user = await this.queries.user(tenantId, userId);
    const events = await this.license(tenantId, userId, correlationId, {
      type: 'AssignLicense',
      userId,
      plan,
      swap,
      user: { found: user !== null, deleted: user?.status === 'deleted', hasSite: user?.siteId != null },
    });
    return events.length === 0 ? 'unchanged' : events.length === 2 ? 'swapped' : 'assigned';
  }

  async unassign(tenantId: string, userId: string, correlationId: string): Promise<'unassigned' | 'unchanged'> {
    const events = await this.license(tenantId, userId, correlationId, { type: 'UnassignLicense', userId });
    return events.length === 0 ? 'unchanged' : 'unassigned';
  }

  /** What assign would do now, storing nothing (CSV dry runs); seats are checked too. */
  async previewAssign(tenantId: string, userId: string, plan: string): Promise<AssignOutcome> {
    const user = await this.queries.user(tenantId, userId);
    const { events } = await this.infrastructure.commands.dryRun({
      streamId: `license-${userId}`,
      decider: licenseDecider,
      command: { type: 'AssignLicense', userId, plan, swap: false, user: { found: user !== null, deleted: user?.status === 'deleted', hasSite: user?.siteId != null } },
    });
    if (events.length === 0) return 'unchanged';
    const seats = (await this.queries.usage(tenantId)).plans.find((entry) => entry.plan === plan);
    if (!seats || seats.free < 1) throw new LicensingRuleViolation('no-seats-left', `no free ${plan} seat: every one is assigned`);
    return 'assigned';
  }

  private async license(tenantId: string, userId: string, correlationId: string, command: LicenseCommand): Promise<LicenseEvent[]> {
    try {
      const outcome = await this.infrastructure.commands.run({
        streamId: `license-${userId}`,
        streamType: 'license',
        decider: licenseDecider,
        command,
        context: { tenantId, correlationId, actor: 'licensing' },
        toOutbox: outboxFor(publishAsIs),
        inTransaction: inlineProjections([licensingLedgerProjection], publishAsIs),
      });
      return outcome.events.map((event) => ({ type: event.type, data: event.data }) as LicenseEvent);
    } catch (error) {
      throw asProblem(error);
    }
  }

  private async subscription(tenantId: string, correlationId: string, command: SubscriptionCommand): Promise<void> {
    try {
      await this.infrastructure.commands.run({
        streamId: `subscription-${tenantId}`,
        streamType: 'subscription',
        decider: subscriptionDecider,
        command,
        context: { tenantId, correlationId, actor: 'licensing' },
        inTransaction: inlineProjections([licensingLedgerProjection], publishAsIs),
      });
    } catch (error) {
      throw asProblem(error);
    }
  }
}

const STATUS: Record<LicensingRuleViolation['code'], number> = {
  'user-not-found': 404,
  'user-deleted': 409,
  'site-missing': 409,
  'already-licensed': 409,
  'no-seats-left': 409,
  'seats-in-use': 409,
  'invalid-value': 400,
};

export function asProblem(error: unknown): unknown {
  return error instanceof LicensingRuleViolation ? new ProblemError({ status: STATUS[error.code], title: error.code, detail: error.message }) : error;
}
