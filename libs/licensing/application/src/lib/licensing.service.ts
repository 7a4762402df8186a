import { Inject, Injectable } from '@nestjs/common';
import { deletedUsersUntilCommit, licensingLedgerProjection, LicensingQueries, licensingUsersProjection, type LicensingUserRow } from '@identity/licensing-data-access';
import {
  licenseDecider,
  LicensingRuleViolation,
  subscriptionDecider,
  type AutoAssignmentRule,
  type LicenseCommand,
  type LicenseEvent,
  type LicenseState,
  type SubscriptionCommand,
} from '@identity/licensing-domain';
import { outboxFor, publishAsIs, type InTransaction } from '@identity/platform-event-store';
import { around, inlineProjections } from '@identity/platform-projections';
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

  async assign(tenantId: string, userId: string, plan: string, swap: boolean, correlationId: string, source?: 'import'): Promise<AssignOutcome> {
    const user = await this.queries.user(tenantId, userId);
    const events = await this.license(tenantId, userId, correlationId, assignCommand(userId, plan, swap, user, source));
    return assignOutcome(events);
  }

  /** An auto-assignment rule's license: 'unchanged' for a user who has, or once had, one. */
  async assignByRule(tenantId: string, userId: string, plan: string, correlationId: string): Promise<AssignOutcome> {
    const user = await this.queries.user(tenantId, userId);
    const events = await this.license(tenantId, userId, correlationId, { ...assignCommand(userId, plan, false, user), byRule: true });
    return assignOutcome(events);
  }

  async unassign(tenantId: string, userId: string, correlationId: string, plan?: string, undoingAssignment = false): Promise<'unassigned' | 'unchanged'> {
    const events = await this.license(tenantId, userId, correlationId, { type: 'UnassignLicense', userId, plan, undoingAssignment });
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
    changes: readonly ({ action: 'assign'; user: LicensingUserRow; plan: string } | { action: 'unassign'; user: LicensingUserRow; plan?: string })[],
    correlationId: string,
  ): Promise<(AssignOutcome | 'unassigned' | ProblemError)[]> {
    const results = await this.infrastructure.commands.runBatch({
      streamType: 'license',
      decider: licenseDecider,
      commands: changes.map((change) => ({
        streamId: `license-${change.user.userId}`,
        command:
          change.action === 'assign'
            ? assignCommand(change.user.userId, change.plan, false, change.user, 'import')
            : ({ type: 'UnassignLicense', userId: change.user.userId, plan: change.plan } as const),
      })),
      context: { tenantId, correlationId, actor: 'licensing' },
      toOutbox: outboxFor(publishAsIs),
      inTransaction: ledgerOfLivingUsers(tenantId),
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
   * What a CSV row would do, storing nothing (dry runs). Each user's license is taken as the rows
   * before left it, and the seats as the earlier rows would have taken or given them back, so that
   * every row gets the outcome the real run, which goes in file order, gives it. The reads come
   * first; the decision waits for `turn` (the row before has decided).
   */
  /**
   * Why assigning `plan` to the user would be refused by the license's rules (already licensed, no
   * site, deleted), as the store has the user now; null when it would not. Seats are not counted.
   */
  async assignmentRefusal(tenantId: string, userId: string, plan: string): Promise<string | null> {
    const user = await this.queries.user(tenantId, userId);
    const stored = await this.infrastructure.commands.stateOf({ streamId: `license-${userId}`, decider: licenseDecider });
    try {
      licenseDecider.decide(assignCommand(userId, plan, false, user), stored);
      return null;
    } catch (error) {
      if (error instanceof LicensingRuleViolation) return error.message;
      throw error;
    }
  }

  async previewChange(
    tenantId: string,
    userId: string,
    change: { action: 'assign'; plan: string } | { action: 'unassign'; plan?: string },
    dryRun: LicenseDryRun,
    turn: Promise<unknown> = Promise.resolve(),
  ): Promise<'assigned' | 'unassigned' | 'unchanged'> {
    const user = await this.queries.user(tenantId, userId);
    const stored = await this.infrastructure.commands.stateOf({ streamId: `license-${userId}`, decider: licenseDecider });
    const { plans } = await this.queries.usage(tenantId);
    await turn;
    const state = dryRun.licenses.get(userId) ?? stored;
    const events = licenseDecider.decide(change.action === 'assign' ? assignCommand(userId, change.plan, false, user) : { type: 'UnassignLicense', userId, plan: change.plan }, state);
    if (events.length === 0) return 'unchanged';
    for (const event of events) {
      const { plan } = event.data;
      const taken = dryRun.promised.get(plan) ?? 0;
      const seats = plans.find((entry) => entry.plan === plan);
      if (event.type === 'LicenseAssigned' && (!seats || seats.free - taken < 1)) throw new LicensingRuleViolation('no-seats-left', `no free ${plan} seat: every one is assigned`);
      dryRun.promised.set(plan, taken + (event.type === 'LicenseAssigned' ? 1 : -1));
    }
    dryRun.licenses.set(userId, events.reduce(licenseDecider.evolve, state));
    return change.action === 'assign' ? 'assigned' : 'unassigned';
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
        inTransaction: ledgerOfLivingUsers(tenantId),
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

/**
 * The ledger, kept in the license's own transaction, once no license it gives goes to a user
 * deleted meanwhile: the decision read the users read model before the transaction, and a deletion
 * can land in between.
 */
function ledgerOfLivingUsers(tenantId: string): InTransaction {
  // The check reads licensing.users, which that model's rebuild empties: waited for before writing too.
  const ledger = inlineProjections([licensingLedgerProjection], publishAsIs, [licensingUsersProjection]);
  return around(ledger, async (manager, events) => {
    const licensed = events.filter((event) => event.type === 'LicenseAssigned').map((event) => (event.data as { userId: string }).userId);
    if (licensed.length > 0 && (await deletedUsersUntilCommit(manager, tenantId, licensed)).length > 0) {
      throw new LicensingRuleViolation('user-deleted', 'the user was deleted');
    }
    await ledger(manager, events);
  });
}

function assignCommand(userId: string, plan: string, swap: boolean, user: LicensingUserRow | null, source?: 'import'): Extract<LicenseCommand, { type: 'AssignLicense' }> {
  return { type: 'AssignLicense', userId, plan, swap, user: { found: user !== null, deleted: user?.status === 'deleted', hasSite: user?.siteId != null }, ...(source ? { source } : {}) };
}

/** A dry run's promises so far: seats taken (less given back) per plan, and each user's license as its rows left it. */
export interface LicenseDryRun {
  promised: Map<string, number>;
  licenses: Map<string, LicenseState>;
}

export const newLicenseDryRun = (): LicenseDryRun => ({ promised: new Map(), licenses: new Map() });

const assignOutcome = (events: readonly unknown[]): AssignOutcome => (events.length === 0 ? 'unchanged' : events.length === 2 ? 'swapped' : 'assigned');
const unassignOutcome = (events: readonly unknown[]): 'unassigned' | 'unchanged' => (events.length === 0 ? 'unchanged' : 'unassigned');

const STATUS: Record<LicensingRuleViolation['code'], number> = {
  'user-not-found': 404,
  'user-deleted': 409,
  'site-missing': 409,
  'already-licensed': 409,
  'other-plan': 409,
  'no-seats-left': 409,
  'seats-in-use': 409,
  'invalid-value': 400,
};

export function asProblem(error: unknown): unknown {
  return error instanceof LicensingRuleViolation ? new ProblemError({ status: STATUS[error.code], title: error.code, detail: error.message }) : error;
}
