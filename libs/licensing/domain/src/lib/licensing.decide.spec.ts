import { deciderSpec } from '@identity/platform-testing';
import { licenseDecider } from './license.decide';
import { planForUser, subscriptionDecider } from './subscription.decide';

const userId = '3b0d7c1e-5a4f-4e0b-9a2c-8f1d6e2b7c90';
const ok = { found: true, deleted: false, hasSite: true };
const license = deciderSpec(licenseDecider);
const subscription = deciderSpec(subscriptionDecider);

describe('License', () => {
  it('assigns to a user with a site, once', () => {
    license.given([]).when({ type: 'AssignLicense', userId, plan: 'X4', user: ok, swap: false }).then([{ type: 'LicenseAssigned', data: { userId, plan: 'X4' } }]);
    license.given([{ type: 'LicenseAssigned', data: { userId, plan: 'X4' } }]).when({ type: 'AssignLicense', userId, plan: 'X4', user: ok, swap: false }).then([]);
  });

  it('says when a license CSV assigned it, swap or not (the CSV gives the extension and number itself)', () => {
    license.given([]).when({ type: 'AssignLicense', userId, plan: 'X4', user: ok, swap: false, source: 'import' }).then([{ type: 'LicenseAssigned', data: { userId, plan: 'X4', source: 'import' } }]);
    license
      .given([{ type: 'LicenseAssigned', data: { userId, plan: 'X2' } }])
      .when({ type: 'AssignLicense', userId, plan: 'X4', user: ok, swap: true, source: 'import' })
      .then([
        { type: 'LicenseUnassigned', data: { userId, plan: 'X2' } },
        { type: 'LicenseAssigned', data: { userId, plan: 'X4', source: 'import' } },
      ]);
  });

  it('refuses a user without a site, a deleted or unknown user, and an implicit plan change', () => {
    license.given([]).when({ type: 'AssignLicense', userId, plan: 'X4', user: { ...ok, hasSite: false }, swap: false }).thenThrows({ code: 'site-missing' });
    license.given([]).when({ type: 'AssignLicense', userId, plan: 'X4', user: { ...ok, deleted: true }, swap: false }).thenThrows({ code: 'user-deleted' });
    license.given([]).when({ type: 'AssignLicense', userId, plan: 'X4', user: { ...ok, found: false }, swap: false }).thenThrows({ code: 'user-not-found' });
    license
      .given([{ type: 'LicenseAssigned', data: { userId, plan: 'X2' } }])
      .when({ type: 'AssignLicense', userId, plan: 'X4', user: ok, swap: false })
      .thenThrows({ code: 'already-licensed' });
  });

  it('assigns by rule only to a user who never had a license (an admin took it away: it stays away)', () => {
    const byRule = { type: 'AssignLicense' as const, userId, plan: 'X4', user: ok, swap: false, byRule: true };
    license.given([]).when(byRule).then([{ type: 'LicenseAssigned', data: { userId, plan: 'X4' } }]);
    const x2 = { type: 'LicenseAssigned' as const, data: { userId, plan: 'X2' } };
    license.given([x2]).when(byRule).then([]);
    license.given([x2, { type: 'LicenseUnassigned', data: { userId, plan: 'X2' } }]).when(byRule).then([]);
    // An admin still can.
    license
      .given([x2, { type: 'LicenseUnassigned', data: { userId, plan: 'X2' } }])
      .when({ ...byRule, byRule: false })
      .then([{ type: 'LicenseAssigned', data: { userId, plan: 'X4' } }]);
  });

  it('counts an assignment a refused CSV row took back as never made, for the rules (and only that one)', () => {
    const byRule = { type: 'AssignLicense' as const, userId, plan: 'X4', user: ok, swap: false, byRule: true };
    const x2 = { type: 'LicenseAssigned' as const, data: { userId, plan: 'X2', source: 'import' as const } };
    const undo = { type: 'UnassignLicense' as const, userId, plan: 'X2', undoingAssignment: true };
    license.given([x2]).when(undo).then([{ type: 'LicenseUnassigned', data: { userId, plan: 'X2', undoesAssignment: true } }]);
    const undone = { type: 'LicenseUnassigned' as const, data: { userId, plan: 'X2', undoesAssignment: true as const } };
    license.given([x2, undone]).when(byRule).then([{ type: 'LicenseAssigned', data: { userId, plan: 'X4' } }]);
    // A license held before the one undone still counts, whether it was taken away or swapped for it.
    const x1 = { type: 'LicenseAssigned' as const, data: { userId, plan: 'X1' } };
    license.given([x1, { type: 'LicenseUnassigned', data: { userId, plan: 'X1' } }, x2, undone]).when(byRule).then([]);
    license.given([x1, { type: 'LicenseUnassigned', data: { userId, plan: 'X1' } }, x2, undone, x2, undone]).when(byRule).then([]);
  });

  it('swaps plans explicitly, and unassigns', () => {
    const x2 = { type: 'LicenseAssigned' as const, data: { userId, plan: 'X2' } };
    license
      .given([x2])
      .when({ type: 'AssignLicense', userId, plan: 'X4', user: ok, swap: true })
      .then([
        { type: 'LicenseUnassigned', data: { userId, plan: 'X2' } },
        { type: 'LicenseAssigned', data: { userId, plan: 'X4' } },
      ]);
    license.given([x2]).when({ type: 'UnassignLicense', userId }).then([{ type: 'LicenseUnassigned', data: { userId, plan: 'X2' } }]);
    license.given([]).when({ type: 'UnassignLicense', userId }).then([]);
    // A CSV row names the plan it takes away: another plan stays.
    license.given([x2]).when({ type: 'UnassignLicense', userId, plan: 'X2' }).then([{ type: 'LicenseUnassigned', data: { userId, plan: 'X2' } }]);
    license.given([x2]).when({ type: 'UnassignLicense', userId, plan: 'X4' }).thenThrows({ code: 'other-plan' });
    license.given([]).when({ type: 'UnassignLicense', userId, plan: 'X4' }).then([]);
  });
});

describe('Subscription', () => {
  const tenantId = 't';
  it('sets seats per plan and validates names and counts', () => {
    subscription.given([]).when({ type: 'SetPlanSeats', tenantId, plan: 'X2', seats: 10 }).then([{ type: 'SubscriptionPlanSet', data: { tenantId, plan: 'X2', seats: 10 } }]);
    subscription.given([]).when({ type: 'SetPlanSeats', tenantId, plan: 'X 2', seats: 10 }).thenThrows({ code: 'invalid-value' });
    subscription.given([]).when({ type: 'SetPlanSeats', tenantId, plan: 'X2', seats: -1 }).thenThrows({ code: 'invalid-value' });
  });

  it('takes rules only for plans it has, and the first matching rule wins', () => {
    const planned = [{ type: 'SubscriptionPlanSet' as const, data: { tenantId, plan: 'X4', seats: 1 } }];
    subscription.given([]).when({ type: 'SetAutoAssignmentRules', tenantId, rules: [{ attribute: 'department', value: 'Sales', plan: 'X4' }] }).thenThrows({ code: 'invalid-value' });
    // Names every object has are no plans either.
    for (const plan of ['constructor', 'toString', '__proto__']) {
      subscription.given(planned).when({ type: 'SetAutoAssignmentRules', tenantId, rules: [{ attribute: 'department', value: 'Sales', plan }] }).thenThrows({ code: 'invalid-value' });
    }
    subscription
      .given(planned)
      .when({ type: 'SetAutoAssignmentRules', tenantId, rules: [{ attribute: 'department', value: 'Sales', plan: 'X4' }] })
      .then([{ type: 'AutoAssignmentRulesSet', data: { tenantId, rules: [{ attribute: 'department', value: 'Sales', plan: 'X4' }] } }]);
    const rules = [
      { attribute: 'site' as const, value: 'London', plan: 'X8' },
      { attribute: 'department' as const, value: 'Sales', plan: 'X4' },
    ];
    expect(planForUser(rules, { department: 'Sales', site: 'London', title: null })).toBe('X8');
    expect(planForUser(rules, { department: 'Sales', site: 'Paris', title: null })).toBe('X4');
    expect(planForUser(rules, { department: 'Ops', site: 'Paris', title: null })).toBeNull();
  });
});
