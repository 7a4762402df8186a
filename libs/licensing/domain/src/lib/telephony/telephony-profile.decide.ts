import type { ExtensionPlan } from './telephony-settings.decide';
import { normaliseE164, TelephonyRuleViolation } from './telephony.errors';

/**
 * One user's telephony profile (stream `telephony-<userId>`): an extension and a direct number,
 * set by admins (Azure AD cannot read them back). Uniqueness within the company is held by the
 * event store's reservations, so concurrent assignments of one extension cannot both succeed.
 */
export type ReleaseReason = 'admin' | 'user-deleted';

/** Published as they are (the contracts in libs/contracts have the same shapes). */
export type TelephonyProfileEvent =
  | { type: 'ExtensionAssigned'; data: { userId: string; extension: string; previousExtension: string | null } }
  | { type: 'ExtensionReleased'; data: { userId: string; extension: string; reason: ReleaseReason } }
  | { type: 'PhoneNumberAssigned'; data: { userId: string; number: string; previousNumber: string | null } }
  | { type: 'PhoneNumberReleased'; data: { userId: string; number: string; reason: ReleaseReason; quarantinedUntil: string | null } };

/** What licensing knows of the user when the command is decided. */
export interface TelephonyUserFacts {
  licensed: boolean;
  deleted: boolean;
}

export type NumberAvailability = 'available' | 'not-in-pool' | 'quarantined';

export type TelephonyProfileCommand =
  /** `keepExisting`: automatic assignment, which never replaces what an admin set meanwhile. */
  | { type: 'AssignExtension'; userId: string; extension: string; plan: ExtensionPlan | null; user: TelephonyUserFacts; keepExisting?: boolean }
  | { type: 'AssignPhoneNumber'; userId: string; number: string; availability: NumberAvailability; user: TelephonyUserFacts; keepExisting?: boolean }
  | { type: 'ReleaseExtension'; userId: string; reason: ReleaseReason }
  | { type: 'ReleasePhoneNumber'; userId: string; reason: ReleaseReason; quarantinedUntil: string | null };

export interface TelephonyProfileState {
  extension: string | null;
  number: string | null;
}

export const initialTelephonyProfile = (): TelephonyProfileState => ({ extension: null, number: null });

export function evolveTelephonyProfile(state: TelephonyProfileState, event: TelephonyProfileEvent): TelephonyProfileState {
  switch (event.type) {
    case 'ExtensionAssigned':
      return { ...state, extension: event.data.extension };
    case 'ExtensionReleased':
      return { ...state, extension: null };
    case 'PhoneNumberAssigned':
      return { ...state, number: event.data.number };
    case 'PhoneNumberReleased':
      return { ...state, number: null };
  }
}

export function decideTelephonyProfile(command: TelephonyProfileCommand, state: TelephonyProfileState): TelephonyProfileEvent[] {
  const { userId } = command;
  switch (command.type) {
    case 'AssignExtension': {
      if (command.keepExisting && state.extension !== null) return [];
      assertServiceable(command.user);
      const plan = command.plan;
      if (!plan) throw new TelephonyRuleViolation('no-extension-plan', 'the company has no extension plan yet: set its length and range first');
      const extension = command.extension.trim();
      const value = Number(extension);
      if (!/^[0-9]+$/.test(extension) || extension.length !== plan.length || value < plan.rangeStart || value > plan.rangeEnd) {
        throw new TelephonyRuleViolation('invalid-extension', `extensions here have ${plan.length} digits between ${String(plan.rangeStart).padStart(plan.length, '0')} and ${String(plan.rangeEnd).padStart(plan.length, '0')}`);
      }
      if (state.extension === extension) return [];
      return [{ type: 'ExtensionAssigned', data: { userId, extension, previousExtension: state.extension } }];
    }
    case 'AssignPhoneNumber': {
      if (command.keepExisting && state.number !== null) return [];
      assertServiceable(command.user);
      const number = normaliseE164(command.number);
      if (state.number === number) return [];
      if (command.availability === 'not-in-pool') throw new TelephonyRuleViolation('not-in-pool', `${number} is not in the company's pool of numbers: operators import numbers first`);
      if (command.availability === 'quarantined') throw quarantined(number);
      return [{ type: 'PhoneNumberAssigned', data: { userId, number, previousNumber: state.number } }];
    }
    case 'ReleaseExtension':
      return state.extension === null ? [] : [{ type: 'ExtensionReleased', data: { userId, extension: state.extension, reason: command.reason } }];
    case 'ReleasePhoneNumber':
      return state.number === null
        ? []
        : [{ type: 'PhoneNumberReleased', data: { userId, number: state.number, reason: command.reason, quarantinedUntil: command.quarantinedUntil } }];
  }
}

function assertServiceable(user: TelephonyUserFacts): void {
  if (user.deleted) throw new TelephonyRuleViolation('user-deleted', 'the user was deleted');
  if (!user.licensed) throw new TelephonyRuleViolation('not-licensed', 'only users with an X Series license get an extension and a number: assign a license first');
}

/** Extensions and numbers are unique per company: each one held is a reservation of the user's stream. */
export function telephonyReservations(tenantId: string, events: readonly TelephonyProfileEvent[], before: TelephonyProfileState) {
  const changes: { action: 'reserve' | 'release'; scope: 'extension' | 'phone-number'; key: string }[] = [];
  let state = before;
  for (const event of events) {
    if (event.type === 'ExtensionAssigned') {
      if (state.extension) changes.push({ action: 'release', scope: 'extension', key: `${tenantId}:${state.extension}` });
      changes.push({ action: 'reserve', scope: 'extension', key: `${tenantId}:${event.data.extension}` });
    } else if (event.type === 'ExtensionReleased') {
      changes.push({ action: 'release', scope: 'extension', key: `${tenantId}:${event.data.extension}` });
    } else if (event.type === 'PhoneNumberAssigned') {
      if (state.number) changes.push({ action: 'release', scope: 'phone-number', key: `${tenantId}:${state.number}` });
      changes.push({ action: 'reserve', scope: 'phone-number', key: `${tenantId}:${event.data.number}` });
    } else {
      changes.push({ action: 'release', scope: 'phone-number', key: `${tenantId}:${event.data.number}` });
    }
    state = evolveTelephonyProfile(state, event);
  }
  return changes;
}

export const telephonyProfileDecider = { initialState: initialTelephonyProfile, evolve: evolveTelephonyProfile, decide: decideTelephonyProfile };

/** A number that belonged to a deleted user sits out the company's quarantine before anyone gets it. */
export function quarantined(number: string): TelephonyRuleViolation {
  return new TelephonyRuleViolation('quarantined', `${number} belonged to a deleted user and is in quarantine`);
}
