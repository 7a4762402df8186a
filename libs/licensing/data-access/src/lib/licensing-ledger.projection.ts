import type { EntityManager } from 'typeorm';
import { TOPICS, type IntegrationEvent, type LicenseAssignedData } from '@identity/contracts';
import { LicensingRuleViolation, type AutoAssignmentRule, type SubscriptionEvent } from '@identity/licensing-domain';
import { returnedRows } from '@identity/platform-event-store';
import type { Projection } from '@identity/platform-projections';

/**
 * Seats and licenses, applied in the assigning transaction: taking a seat is a conditional update
 * that fails (and rolls the assignment back) when the plan has none left; a seat count cannot go
 * below the seats in use. Rebuildable from the subscription and license streams: a replay applies
 * what was accepted without these checks, since the store's order is not always the order in which
 * the seats row saw the changes (a seat one user freed and another took at once), and counts the
 * seats in use once at the end.
 */
export const licensingLedgerProjection: Projection = {
  name: 'licensing.ledger',
  schema: 'licensing',
  topics: [TOPICS.licensingLicense.name],
  privateStreams: ['subscription'],
  apply: (manager, event) => applyLedgerEvent(manager, event, true),
  /**
   * Runs of assignments (or of unassignments) take their seats per plan in one statement, which
   * fails as a whole when the plan has too few left: applied one by one, one of them would have
   * failed and rolled the same transaction back. Everything else goes one by one, in order.
   */
  applyMany: (manager, events) => applyLedgerEvents(manager, events, true),
  replay: (manager, events) => applyLedgerEvents(manager, events, false),
  /** A replay counts the seats in use once, from the licenses it ended with. */
  async finishReplay(manager: EntityManager): Promise<void> {
    await manager.query(
      `UPDATE licensing.seats s SET used = held.count
         FROM (SELECT tenant_id, plan, count(*)::int AS count FROM licensing.user_licenses GROUP BY tenant_id, plan) held
        WHERE s.tenant_id = held.tenant_id AND s.plan = held.plan`,
    );
  },
  async reset(manager: EntityManager): Promise<void> {
    await manager.query(`TRUNCATE licensing.seats, licensing.user_licenses, licensing.rules`);
  },
};

/**
 * `checked` (live): take and give back seats, refusing what breaks the counts. A replay applies
 * the licenses alone and counts the seats at the end: on the way, a user's license may come before
 * another's release of the seat it took.
 */
async function applyLedgerEvent(manager: EntityManager, event: IntegrationEvent, checked: boolean): Promise<void> {
  switch (event.eventType) {
    case 'SubscriptionPlanSet': {
      const { plan, seats } = (event.data as Extract<SubscriptionEvent, { type: 'SubscriptionPlanSet' }>['data']);
      const rows = (await manager.query(
        `INSERT INTO licensing.seats (tenant_id, plan, total) VALUES ($1, $2, $3)
         ON CONFLICT (tenant_id, plan) DO UPDATE SET total = excluded.total WHERE licensing.seats.used <= excluded.total
         RETURNING used`,
        [event.tenantId, plan, seats],
      )) as unknown[];
      if (rows.length === 0) {
        const [{ used }] = await manager.query(`SELECT used FROM licensing.seats WHERE tenant_id = $1 AND plan = $2`, [event.tenantId, plan]);
        throw new LicensingRuleViolation('seats-in-use', `${used} seats of ${plan} are in use; unassign licenses before lowering the count to ${seats}`);
      }
      return;
    }
    case 'AutoAssignmentRulesSet': {
      const rules = (event.data as { rules: AutoAssignmentRule[] }).rules;
      await manager.query(`DELETE FROM licensing.rules WHERE tenant_id = $1`, [event.tenantId]);
      for (const [position, rule] of rules.entries()) {
        await manager.query(`INSERT INTO licensing.rules (tenant_id, position, attribute, value, plan) VALUES ($1, $2, $3, $4, $5)`, [
          event.tenantId,
          position,
          rule.attribute,
          rule.value,
          rule.plan,
        ]);
      }
      return;
    }
    case 'LicenseAssigned': {
      const { userId, plan } = event.data as LicenseAssignedData;
      if (checked) {
        const taken = returnedRows(
          await manager.query(`UPDATE licensing.seats SET used = used + 1 WHERE tenant_id = $1 AND plan = $2 AND used < total RETURNING used`, [event.tenantId, plan]),
        );
        if (taken.length === 0) throw new LicensingRuleViolation('no-seats-left', `no free ${plan} seat: every one is assigned`);
      }
      await manager.query(
        `INSERT INTO licensing.user_licenses (user_id, tenant_id, plan, assigned_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (user_id) DO UPDATE SET plan = excluded.plan, assigned_at = excluded.assigned_at`,
        [userId, event.tenantId, plan, event.occurredAt],
      );
      await manager.query(`DELETE FROM licensing.unserved WHERE user_id = $1`, [userId]);
      return;
    }
    case 'LicenseUnassigned': {
      const { userId, plan } = event.data as LicenseAssignedData;
      if (checked) await manager.query(`UPDATE licensing.seats SET used = used - 1 WHERE tenant_id = $1 AND plan = $2 AND used > 0`, [event.tenantId, plan]);
      await manager.query(`DELETE FROM licensing.user_licenses WHERE user_id = $1 AND plan = $2`, [userId, plan]);
      return;
    }
  }
}

async function applyLedgerEvents(manager: EntityManager, events: readonly IntegrationEvent[], checked: boolean): Promise<void> {
  let run: IntegrationEvent[] = [];
  const users = new Set<string>();
  const flush = async () => {
    if (run.length > 0) await (run[0].eventType === 'LicenseAssigned' ? assignRun(manager, run, checked) : unassignRun(manager, run, checked));
    run = [];
    users.clear();
  };
  for (const event of events) {
    const batchable = event.eventType === 'LicenseAssigned' || event.eventType === 'LicenseUnassigned';
    const { userId } = event.data as LicenseAssignedData;
    if (!batchable || run[0]?.eventType !== event.eventType || users.has(userId)) await flush();
    if (!batchable) {
      await applyLedgerEvent(manager, event, checked);
      continue;
    }
    run.push(event);
    users.add(userId);
  }
  await flush();
}

/** How many of the run's events concern each company's plan. */
function seatsPerPlan(run: readonly IntegrationEvent[]): { tenantId: string; plan: string; count: number }[] {
  const counts = new Map<string, { tenantId: string; plan: string; count: number }>();
  for (const event of run) {
    const { plan } = event.data as LicenseAssignedData;
    const key = `${event.tenantId}/${plan}`;
    const entry = counts.get(key) ?? { tenantId: event.tenantId, plan, count: 0 };
    entry.count++;
    counts.set(key, entry);
  }
  return [...counts.values()];
}

async function assignRun(manager: EntityManager, run: readonly IntegrationEvent[], checked: boolean): Promise<void> {
  for (const { tenantId, plan, count } of checked ? seatsPerPlan(run) : []) {
    const taken = returnedRows(
      await manager.query(`UPDATE licensing.seats SET used = used + $3 WHERE tenant_id = $1 AND plan = $2 AND used + $3 <= total RETURNING used`, [tenantId, plan, count]),
    );
    if (taken.length === 0) throw new LicensingRuleViolation('no-seats-left', `no free ${plan} seat: every one is assigned`);
  }
  const data = run.map((event) => event.data as LicenseAssignedData);
  await manager.query(
    `INSERT INTO licensing.user_licenses (user_id, tenant_id, plan, assigned_at)
     SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::timestamptz[])
     ON CONFLICT (user_id) DO UPDATE SET plan = excluded.plan, assigned_at = excluded.assigned_at`,
    [data.map((entry) => entry.userId), run.map((event) => event.tenantId), data.map((entry) => entry.plan), run.map((event) => event.occurredAt)],
  );
  await manager.query(`DELETE FROM licensing.unserved WHERE user_id = ANY($1::uuid[])`, [data.map((entry) => entry.userId)]);
}

async function unassignRun(manager: EntityManager, run: readonly IntegrationEvent[], checked: boolean): Promise<void> {
  for (const { tenantId, plan, count } of checked ? seatsPerPlan(run) : []) {
    await manager.query(`UPDATE licensing.seats SET used = greatest(used - $3, 0) WHERE tenant_id = $1 AND plan = $2`, [tenantId, plan, count]);
  }
  const data = run.map((event) => event.data as LicenseAssignedData);
  await manager.query(
    `DELETE FROM licensing.user_licenses l USING unnest($1::uuid[], $2::text[]) AS u(user_id, plan) WHERE l.user_id = u.user_id AND l.plan = u.plan`,
    [data.map((entry) => entry.userId), data.map((entry) => entry.plan)],
  );
}

/**
 * Inside a transaction that gives the user something only licensed users hold: whether they still
 * hold a license, keeping it until the transaction ends. An unassignment committed meanwhile is
 * seen; one in flight is waited for, and one that comes after waits and then finds what was given.
 */
export async function holdsLicenseUntilCommit(manager: EntityManager, userId: string): Promise<boolean> {
  const held = async () => returnedRows(await manager.query(`SELECT 1 FROM licensing.user_licenses WHERE user_id = $1 FOR KEY SHARE`, [userId])).length > 0;
  // A plan swap deletes the row and inserts the new plan's: a read that waited for it sees the
  // deletion only, and a second read (a new snapshot) the new row.
  return (await held()) || (await held());
}
