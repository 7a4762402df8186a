import { normaliseE164, TelephonyRuleViolation } from './telephony.errors';

/** Extensions are `length` digits within [rangeStart, rangeEnd], zero-padded. */
export interface ExtensionPlan {
  length: number;
  rangeStart: number;
  rangeEnd: number;
}

export interface TelephonySettings {
  extensionPlan: ExtensionPlan | null;
  /** Give the next free extension / number as soon as a license is assigned (rules and CSV included). */
  autoAssignExtension: boolean;
  autoAssignNumber: boolean;
  /** Days a deleted user's number stays out of the pool. */
  quarantineDays: number;
}

/** A company's telephony settings and its pool of direct numbers (stream `telephony-settings-<tenantId>`). */
export type TelephonySettingsEvent =
  | { type: 'TelephonySettingsChanged'; data: { tenantId: string } & TelephonySettings }
  | { type: 'PhoneNumbersImported'; data: { tenantId: string; numbers: string[] } };

export type TelephonySettingsCommand =
  | { type: 'ChangeTelephonySettings'; tenantId: string; settings: TelephonySettings }
  | { type: 'ImportPhoneNumbers'; tenantId: string; numbers: readonly string[] };

export interface TelephonySettingsState {
  settings: TelephonySettings;
  pool: Set<string>;
}

export const DEFAULT_TELEPHONY_SETTINGS: TelephonySettings = { extensionPlan: null, autoAssignExtension: false, autoAssignNumber: false, quarantineDays: 90 };
export const MAX_NUMBERS_PER_IMPORT = 10_000;

export const initialTelephonySettings = (): TelephonySettingsState => ({ settings: DEFAULT_TELEPHONY_SETTINGS, pool: new Set() });

export function evolveTelephonySettings(state: TelephonySettingsState, event: TelephonySettingsEvent): TelephonySettingsState {
  if (event.type === 'PhoneNumbersImported') return { ...state, pool: new Set([...state.pool, ...event.data.numbers]) };
  const { tenantId: _tenantId, ...settings } = event.data;
  return { ...state, settings };
}

export function decideTelephonySettings(command: TelephonySettingsCommand, state: TelephonySettingsState): TelephonySettingsEvent[] {
  if (command.type === 'ImportPhoneNumbers') {
    if (command.numbers.length > MAX_NUMBERS_PER_IMPORT) throw new TelephonyRuleViolation('invalid-value', `import at most ${MAX_NUMBERS_PER_IMPORT} numbers at a time`);
    const numbers = [...new Set(command.numbers.map(normaliseE164))].filter((number) => !state.pool.has(number));
    return numbers.length === 0 ? [] : [{ type: 'PhoneNumbersImported', data: { tenantId: command.tenantId, numbers } }];
  }
  const settings = checkedSettings(command.settings);
  if (sameSettings(settings, state.settings)) return [];
  return [{ type: 'TelephonySettingsChanged', data: { tenantId: command.tenantId, ...settings } }];
}

function checkedSettings(settings: TelephonySettings): TelephonySettings {
  const plan = settings.extensionPlan;
  if (plan) {
    const { length, rangeStart, rangeEnd } = plan;
    if (!Number.isInteger(length) || length < 2 || length > 8) throw new TelephonyRuleViolation('invalid-value', 'extensions have 2 to 8 digits');
    if (!Number.isInteger(rangeStart) || !Number.isInteger(rangeEnd) || rangeStart < 0 || rangeStart > rangeEnd || rangeEnd >= 10 ** length) {
      throw new TelephonyRuleViolation('invalid-value', `the range must be within 0–${10 ** length - 1} and start at or below its end`);
    }
  }
  if (!Number.isInteger(settings.quarantineDays) || settings.quarantineDays < 0 || settings.quarantineDays > 3650) {
    throw new TelephonyRuleViolation('invalid-value', 'the quarantine is 0 to 3650 days');
  }
  if (settings.autoAssignExtension && !plan) throw new TelephonyRuleViolation('no-extension-plan', 'set an extension plan before assigning extensions automatically');
  return {
    extensionPlan: plan ? { length: plan.length, rangeStart: plan.rangeStart, rangeEnd: plan.rangeEnd } : null,
    autoAssignExtension: settings.autoAssignExtension,
    autoAssignNumber: settings.autoAssignNumber,
    quarantineDays: settings.quarantineDays,
  };
}

function sameSettings(a: TelephonySettings, b: TelephonySettings): boolean {
  const planOf = (settings: TelephonySettings) => (settings.extensionPlan ? [settings.extensionPlan.length, settings.extensionPlan.rangeStart, settings.extensionPlan.rangeEnd].join() : '');
  return planOf(a) === planOf(b) && a.autoAssignExtension === b.autoAssignExtension && a.autoAssignNumber === b.autoAssignNumber && a.quarantineDays === b.quarantineDays;
}

/** The extension a plan gives for a number in its range. */
export function formatExtension(plan: ExtensionPlan, value: number): string {
  return String(value).padStart(plan.length, '0');
}

/** A direct number rings in one company only: each number of a pool is a platform-wide reservation of its company's settings stream. */
export function phoneNumberPoolReservations(events: readonly TelephonySettingsEvent[]) {
  return events.flatMap((event) =>
    event.type === 'PhoneNumbersImported' ? event.data.numbers.map((number) => ({ action: 'reserve' as const, scope: PHONE_NUMBER_POOL_SCOPE, key: number })) : [],
  );
}

export const PHONE_NUMBER_POOL_SCOPE = 'phone-number-pool';

export const telephonySettingsDecider = { initialState: initialTelephonySettings, evolve: evolveTelephonySettings, decide: decideTelephonySettings };
