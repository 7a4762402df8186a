import { Inject, Injectable } from '@nestjs/common';
import { licensingLedgerProjection, LicensingQueries, type LicensingUserRow } from '@identity/licensing-data-access';
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
/**
 * A user of this company, whatever the status; 404 otherwise. License and profile streams are keyed
 * by user id alone, so the admin API checks the company before it touches one.
 */
export async function companyUser(queries: LicensingQueries, tenantId: string, userId: string): Promise<LicensingUserRow> {
  const user = await queries.user(tenantId, userId);
  if (!user) throw new ProblemError({ status: 404, title: 'user-not-found', detail: 'no such user in this company' });
  return user;
}

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
    const events = await this.license(tenantId, userId, correlationId, assignCommand(userId, plan, swap, user));
    return assignOutcome(events);
  }

  /** An auto-assignment rule's license: 'unchanged' for a user who has, or once had, one. */
  async assignByRule(tenantId: string, userId: string, plan: string, correlationId: string): Promise<AssignOutcome> {
    const user = await this.queries.user(tenantId, userId);
    const events = await this.license(tenantId, userId, correlationId, { ...assignCommand(userId, plan, false, user), byRule: true });
    return assignOutcome(events);
  }

  async unassign(tenantId: string, userId: string, correlationId: string): Promise<'unassigned' | 'unchanged'> {
    const events = await this.license(tenantId, userId, correlationId, { type: 'UnassignLicense', userId });
    return unassignOutcome(events);
  }

  /**
   * Many assignments and unassignments of one company in one transaction (a CSV import's batch):
   * each change's outcome, or the problem that refused it, in order. When the transaction as a
   * whole fails (a concurrent change of one of the licenses, the seats running out within the
   * batch) nothing is stored and it throws: the caller then makes the changes one by one.
   */
  async changeMany(
    tenantId: string,
    changes: readonly ({ action: 'assign'; user: LicensingUserRow; plan: string } | { action: 'unassign'; user: LicensingUserRow })[],
    correlationId: string,
  ): Promise<(AssignOutcome | 'unassigned' | ProblemError)[]> {
    const results = await this.infrastructure.commands.runBatch({
      streamType: 'license',
      decider: licenseDecider,
      commands: changes.map((change) => ({
        streamId: `license-${change.user.userId}`,
        command: change.action === 'assign' ? assignCommand(change.user.userId, change.plan, false, change.user) : ({ type: 'UnassignLicense', userId: change.user.userId } as const),
      })),
      context: { tenantId, correlationId, actor: 'licensing' },
      toOutbox: outboxFor(publishAsIs),
      inTransaction: inlineProjections([licensingLedgerProjection], publishAsIs),
    });
    return results.map((result, index) => {
      if ('refused' in result) {
        const problem = asProblem(result.refused);
        if (problem instanceof ProblemError) return problem;
        throw result.refused;
      }
      return changes[index].action === 'assign' ? assignOutcome(result.outcome.events) : unassignOutcome(result.outcome.events);
    });
  }

  /**
   * What assign would do now, storing nothing (CSV dry runs); seats are checked too, less the ones
   * `promised` to earlier rows of the same dry run (per plan; a would-be unassignment gives one back).
   */
  async previewAssign(tenantId: string, userId: string, plan: string, promised = new Map<string, number>()): Promise<AssignOutcome> {
    const user = await this.queries.user(tenantId, userId);
    const { events } = await this.infrastructure.commands.dryRun({
      streamId: `license-${userId}`,
      decider: licenseDecider,
      command: assignCommand(userId, plan, false, user),
    });
    if (events.length === 0) return 'unchanged';
    const seats = (await this.queries.usage(tenantId)).plans.find((entry) => entry.plan === plan);
    const taken = promised.get(plan) ?? 0;
    if (!seats || seats.free - taken < 1) throw new LicensingRuleViolation('no-seats-left', `no free ${plan} seat: every one is assigned`);
    promised.set(plan, taken + 1);
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

function assignCommand(userId: string, plan: string, swap: boolean, user: LicensingUserRow | null): Extract<LicenseCommand, { type: 'AssignLicense' }> {
  return { type: 'AssignLicense', userId, plan, swap, user: { found: user !== null, deleted: user?.status === 'deleted', hasSite: user?.siteId != null } };
}

const assignOutcome = (events: readonly unknown[]): AssignOutcome => (events.length === 0 ? 'unchanged' : events.length === 2 ? 'swapped' : 'assigned');
const unassignOutcome = (events: readonly unknown[]): 'unassigned' | 'unchanged' => (events.length === 0 ? 'unchanged' : 'unassigned');

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
