import type { EntityManager } from 'typeorm';
import { TOPICS, type IntegrationEvent, type LicenseAssignedData } from '@identity/contracts';
import { LicensingRuleViolation, type AutoAssignmentRule, type SubscriptionEvent } from '@identity/licensing-domain';
import { returnedRows } from '@identity/platform-event-store';
import type { Projection } from '@identity/platform-projections';

/**
 * Seats and licenses, applied in the assigning transaction: taking a seat is a conditional update
 * that fails (and rolls the assignment back) when the plan has none left; a seat count cannot go
 * below the seats in use. Rebuildable from the subscription and license streams.
 */
export const licensingLedgerProjection: Projection = {
  name: 'licensing.ledger',
  schema: 'licensing',
  topics: [TOPICS.licensingLicense.name],
  privateStreams: ['subscription'],
  async apply(manager: EntityManager, event: IntegrationEvent): Promise<void> {
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
        const taken = returnedRows(
          await manager.query(`UPDATE licensing.seats SET used = used + 1 WHERE tenant_id = $1 AND plan = $2 AND used < total RETURNING used`, [
            event.tenantId,
            plan,
          ]),
        );
        if (taken.length === 0) throw new LicensingRuleViolation('no-seats-left', `no free ${plan} seat: every one is assigned`);
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
        await manager.query(`UPDATE licensing.seats SET used = used - 1 WHERE tenant_id = $1 AND plan = $2 AND used > 0`, [event.tenantId, plan]);
        await manager.query(`DELETE FROM licensing.user_licenses WHERE user_id = $1 AND plan = $2`, [userId, plan]);
        return;
      }
    }
  },
  async reset(manager: EntityManager): Promise<void> {
    await manager.query(`TRUNCATE licensing.seats, licensing.user_licenses, licensing.rules`);
  },
};
