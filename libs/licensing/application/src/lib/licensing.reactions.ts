import { TOPICS, type IntegrationEvent, type LicenseAssignedData, type UserAttributesChangedData } from '@identity/contracts';
import { LicensingQueries, TelephonyQueries, type LicensingUserRow } from '@identity/licensing-data-access';
import { planForUser } from '@identity/licensing-domain';
import { ProblemError, type Reaction, type ServiceInfrastructure } from '@identity/platform-service';
import { LicensingService } from './licensing.service';
import { TelephonyService } from './telephony.service';

const services = (infrastructure: ServiceInfrastructure) => {
  const queries = new LicensingQueries(infrastructure.dataSource);
  return { queries, licensing: new LicensingService(infrastructure, queries) };
};

/**
 * A deleted user's seat goes back to the pool (deactivated users keep theirs), and their extension
 * and number are released (the number after the company's quarantine). Once the users read model
 * has the deletion: a license given while it had not is then taken back here, with whatever
 * extension or number came with it, and none can be given after (see `deletedUsersUntilCommit`).
 * A read model that stays behind past the wait delays the seat no longer: it is freed anyway, and
 * again on the retries.
 */
export const freeSeatOfDeletedUser: Reaction = {
  name: 'licensing.free-seat-of-deleted-user',
  topics: [TOPICS.identityUser.name],
  async handle(event: IntegrationEvent, infrastructure: ServiceInfrastructure) {
    if (event.eventType !== 'UserDeleted') return;
    const { queries, licensing } = services(infrastructure);
    const caughtUp = await userAfter(event, queries).then(
      () => true,
      () => false,
    );
    await licensing.unassign(event.tenantId, event.aggregateId, event.correlationId);
    const telephony = telephonyService(infrastructure);
    await telephony.releaseExtension(event.tenantId, event.aggregateId, 'user-deleted', event.correlationId);
    await telephony.releaseNumber(event.tenantId, event.aggregateId, 'user-deleted', event.correlationId);
    // Freed now; the retry frees again whatever a rule still gave from the lagging read model meanwhile.
    if (!caughtUp) throw new Error(`the users read model has not reached the deletion of ${event.aggregateId}: seat freed, and freed again on the retry`);
  },
};

/** The user as the users read model has them once it has applied `event`: it is a sibling consumer, and may lag. */
async function userAfter(event: IntegrationEvent, queries: LicensingQueries): Promise<LicensingUserRow> {
  const deadline = Date.now() + 15_000;
  let user = await queries.user(event.tenantId, event.aggregateId);
  while (!user || user.version < event.aggregateVersion) {
    if (Date.now() > deadline) throw new Error(`user ${event.aggregateId} not yet at version ${event.aggregateVersion}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
    user = await queries.user(event.tenantId, event.aggregateId);
  }
  return user;
}

const ATTRIBUTE_EVENTS = new Set(['UserProvisioned', 'UserAttributesChanged', 'SiteAssigned']);

/** Whether a user event can change which rule matches (rules read department, site and title). */
function mayMatchARule(event: IntegrationEvent): boolean {
  if (event.eventType !== 'UserAttributesChanged') return ATTRIBUTE_EVENTS.has(event.eventType);
  const { changes } = event.data as UserAttributesChangedData;
  return changes.department !== undefined || changes.title !== undefined;
}

/**
 * Auto-assignment: when a user is provisioned or an attribute a rule reads changes, the first
 * matching rule's plan is assigned if a seat is free; a user a rule could not serve is listed for
 * the admin. Users who have, or once had, a license are left alone: a license an admin took away
 * does not come back with the next change of the user's phone number.
 */
export const autoAssignLicenses: Reaction = {
  name: 'licensing.auto-assign',
  topics: [TOPICS.identityUser.name],
  handle: autoAssign,
  /** Most companies have no rules: one look-up tells which events of the batch can skip theirs. */
  async handleBatch(events: readonly IntegrationEvent[], infrastructure: ServiceInfrastructure) {
    const relevant = events.filter(mayMatchARule);
    if (relevant.length === 0) return;
    const withRules = await services(infrastructure).queries.companiesWithRules([...new Set(relevant.map((event) => event.tenantId))]);
    for (const event of relevant) if (withRules.has(event.tenantId)) await autoAssign(event, infrastructure);
  },
};

async function autoAssign(event: IntegrationEvent, infrastructure: ServiceInfrastructure): Promise<void> {
  if (!mayMatchARule(event)) return;
  const { queries, licensing } = services(infrastructure);
  const rules = await queries.rules(event.tenantId);
  if (rules.length === 0) return;
  const user = await userAfter(event, queries);
  if (user.plan !== null || user.status === 'deleted') return;
  const plan = planForUser(rules, { department: user.department, site: user.siteName, title: user.title });
  if (!plan) return queries.forgetUnserved(event.tenantId, event.aggregateId);
  try {
    await licensing.assignByRule(event.tenantId, event.aggregateId, plan, event.correlationId);
  } catch (error) {
    if (!(error instanceof ProblemError)) throw error;
    await queries.noteUnserved(event.tenantId, event.aggregateId, plan, String(error.problem.detail));
  }
}

/**
 * A license assigned one by one or by a rule brings the next free extension and number where the
 * company asked for it. A license CSV gives them itself, row by row, so that an automatic value
 * never takes one a later row of the file names (and its dry run says what will happen).
 */
export const autoAssignTelephony: Reaction = {
  name: 'licensing.auto-assign-telephony',
  topics: [TOPICS.licensingLicense.name],
  async handle(event: IntegrationEvent, infrastructure: ServiceInfrastructure) {
    if (event.eventType !== 'LicenseAssigned' || (event.data as LicenseAssignedData).source === 'import') return;
    await telephonyService(infrastructure).autoAssign(event.tenantId, event.aggregateId, event.correlationId, event.eventId);
  },
};

function telephonyService(infrastructure: ServiceInfrastructure): TelephonyService {
  return new TelephonyService(infrastructure, new LicensingQueries(infrastructure.dataSource), new TelephonyQueries(infrastructure.dataSource));
}
