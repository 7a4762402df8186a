import { LicensingRuleViolation } from './licensing.errors';

/** A rule that licenses users automatically: users whose attribute equals `value` get `plan`. */
export interface AutoAssignmentRule {
  attribute: 'department' | 'site' | 'title';
  value: string;
  plan: string;
}

/** A company's X Series subscription (stream `subscription-<tenantId>`): seats per plan, auto-assignment rules. */
export type SubscriptionEvent =
  | { type: 'SubscriptionPlanSet'; data: { tenantId: string; plan: string; seats: number } }
  | { type: 'AutoAssignmentRulesSet'; data: { tenantId: string; rules: AutoAssignmentRule[] } };

export type SubscriptionCommand =
  | { type: 'SetPlanSeats'; tenantId: string; plan: string; seats: number }
  | { type: 'SetAutoAssignmentRules'; tenantId: string; rules: AutoAssignmentRule[] };

export interface SubscriptionState {
  seats: Readonly<Record<string, number>>;
  rules: readonly AutoAssignmentRule[];
}

export const PLAN_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$/;
export const MAX_SEATS = 1_000_000;
export const MAX_RULES = 100;

export const initialSubscription = (): SubscriptionState => ({ seats: {}, rules: [] });

export function evolveSubscription(state: SubscriptionState, event: SubscriptionEvent): SubscriptionState {
  return event.type === 'SubscriptionPlanSet'
    ? { ...state, seats: { ...state.seats, [event.data.plan]: event.data.seats } }
    : { ...state, rules: event.data.rules };
}

export function decideSubscription(command: SubscriptionCommand, state: SubscriptionState): SubscriptionEvent[] {
  if (command.type === 'SetPlanSeats') {
    if (!PLAN_NAME.test(command.plan)) throw new LicensingRuleViolation('invalid-value', 'a plan name has 1 to 32 letters, digits, - or _');
    if (!Number.isInteger(command.seats) || command.seats < 0 || command.seats > MAX_SEATS) {
      throw new LicensingRuleViolation('invalid-value', `seats is a whole number from 0 to ${MAX_SEATS}`);
    }
    if (state.seats[command.plan] === command.seats) return [];
    return [{ type: 'SubscriptionPlanSet', data: { tenantId: command.tenantId, plan: command.plan, seats: command.seats } }];
  }
  if (command.rules.length > MAX_RULES) throw new LicensingRuleViolation('invalid-value', `at most ${MAX_RULES} rules`);
  for (const rule of command.rules) {
    if (!Object.hasOwn(state.seats, rule.plan)) throw new LicensingRuleViolation('invalid-value', `the subscription has no plan ${rule.plan}`);
    if (!['department', 'site', 'title'].includes(rule.attribute) || !rule.value) {
      throw new LicensingRuleViolation('invalid-value', 'a rule names an attribute (department, site or title) and a value');
    }
  }
  return [{ type: 'AutoAssignmentRulesSet', data: { tenantId: command.tenantId, rules: command.rules } }];
}

/** The first rule that matches the user's attributes, if any. */
export function planForUser(rules: readonly AutoAssignmentRule[], user: { department: string | null; site: string | null; title: string | null }): string | null {
  return rules.find((rule) => user[rule.attribute] === rule.value)?.plan ?? null;
}

export const subscriptionDecider = { initialState: initialSubscription, evolve: evolveSubscription, decide: decideSubscription };
