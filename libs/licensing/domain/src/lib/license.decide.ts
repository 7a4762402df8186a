import { LicensingRuleViolation } from './licensing.errors';

/** One user's X Series license (stream `license-<userId>`): at most one plan at a time. */
export type LicenseEvent =
  | { type: 'LicenseAssigned'; data: { userId: string; plan: string; source?: 'import' } }
  | { type: 'LicenseUnassigned'; data: { userId: string; plan: string; undoesAssignment?: true } };

/** What licensing knows of the user, from its own read model of user events. */
export interface UserFacts {
  found: boolean;
  deleted: boolean;
  hasSite: boolean;
}

export type LicenseCommand =
  | {
      type: 'AssignLicense';
      userId: string;
      plan: string;
      user: UserFacts;
      /** Replace another plan the user holds. */
      swap: boolean;
      /** By an auto-assignment rule: only for a user who never had a license (after that the admin decides). */
      byRule?: boolean;
      /** By a license CSV, which gives the extension and number itself. */
      source?: 'import';
    }
  /**
   * `plan`: the one the admin means to take away (a CSV row names it); another one stays.
   * `undoingAssignment`: takes back the assignment just made by a CSV row that is refused whole (its
   * extension or number was taken meanwhile), which then never happened for the rules either.
   */
  | { type: 'UnassignLicense'; userId: string; plan?: string; undoingAssignment?: boolean };

export interface LicenseState {
  plan: string | null;
  /** Whether the user ever had a license: one an admin took away is not given back by a rule. */
  everLicensed: boolean;
  /** Whether they had one before the plan they hold: what everLicensed goes back to when that assignment is undone. */
  licensedBefore: boolean;
}

export const initialLicenseState = (): LicenseState => ({ plan: null, everLicensed: false, licensedBefore: false });

export function evolveLicense(state: LicenseState, event: LicenseEvent): LicenseState {
  if (event.type === 'LicenseAssigned') return { plan: event.data.plan, everLicensed: true, licensedBefore: state.everLicensed };
  const everLicensed = event.data.undoesAssignment ? state.licensedBefore : state.everLicensed;
  return { plan: null, everLicensed, licensedBefore: everLicensed };
}

export function decideLicense(command: LicenseCommand, state: LicenseState): LicenseEvent[] {
  if (command.type === 'UnassignLicense') {
    if (state.plan === null) return [];
    if (command.plan !== undefined && command.plan !== state.plan) throw new LicensingRuleViolation('other-plan', `the user holds ${state.plan}, not ${command.plan}: nothing was taken away`);
    return [{ type: 'LicenseUnassigned', data: { userId: command.userId, plan: state.plan, ...(command.undoingAssignment ? { undoesAssignment: true as const } : {}) } }];
  }
  const { userId, plan, user } = command;
  const assigned: LicenseEvent = { type: 'LicenseAssigned', data: { userId, plan, ...(command.source ? { source: command.source } : {}) } };
  if (!user.found) throw new LicensingRuleViolation('user-not-found', 'no such user in this company');
  if (user.deleted) throw new LicensingRuleViolation('user-deleted', 'the user was deleted');
  if (state.plan === plan || (command.byRule && state.everLicensed)) return [];
  if (!user.hasSite) throw new LicensingRuleViolation('site-missing', 'the user has no site: assign a site first (the IdP’s site attribute, or the admin console)');
  if (state.plan !== null) {
    if (!command.swap) throw new LicensingRuleViolation('already-licensed', `the user already has ${state.plan}; swap the plan explicitly`);
    return [{ type: 'LicenseUnassigned', data: { userId, plan: state.plan } }, assigned];
  }
  return [assigned];
}

export const licenseDecider = { initialState: initialLicenseState, evolve: evolveLicense, decide: decideLicense };
