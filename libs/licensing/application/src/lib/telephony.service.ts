import { Inject, Injectable } from '@nestjs/common';
import { holdsLicenseUntilCommit, inQuarantineUntilCommit, licensingLedgerProjection, LicensingQueries, telephonyProfilesProjection, telephonySettingsProjection, TelephonyQueries } from '@identity/licensing-data-access';
import {
  normaliseE164,
  PHONE_NUMBER_POOL_SCOPE,
  phoneNumberPoolReservations,
  quarantined,
  telephonyProfileDecider,
  telephonyReservations,
  TelephonyRuleViolation,
  telephonySettingsDecider,
  type ReleaseReason,
  type TelephonyProfileCommand,
  type TelephonySettings,
  type TelephonySettingsCommand,
  type TelephonyUserFacts,
} from '@identity/licensing-domain';
import { outboxFor, publishAsIs, ReservationConflictError } from '@identity/platform-event-store';
import { around, inlineProjections } from '@identity/platform-projections';
import { ProblemError, SERVICE_INFRASTRUCTURE, type ServiceInfrastructure } from '@identity/platform-service';
import { companyUser } from './licensing.service';

export type TelephonyOutcome = 'assigned' | 'unchanged' | 'released';

/** Candidates tried when the next free extension or number is taken by a concurrent assignment. */
const CANDIDATES = 20;
const ROUNDS = 10;
/** Extensions and numbers rows of a license file name: left to those rows, never picked for an `auto` row. */
export interface NamedTelephony {
  extensions: Set<string>;
  numbers: Set<string>;
}

/** Extensions and numbers earlier rows of one license file take, and for whom (the same user's row again takes nothing new). */
export interface TelephonyClaims {
  extensions: Map<string, string>;
  numbers: Map<string, string>;
  /** Per user, what earlier rows took for them: a dry run's later row of the same user starts from it. */
  byUser: Map<string, { extension?: string; number?: string }>;
  named: NamedTelephony;
  /**
   * Where the next "auto" value is looked for: every candidate below is held or claimed, so a file's
   * auto rows read the free values once in all, not once per row (which grew with the file).
   */
  from: { extension?: number; number?: string };
  /** Values whose holder an earlier row of the file takes the last license from: free for the rows after it. */
  released: { extensions: Set<string>; numbers: Set<string> };
}

/** What a row would take, and how to give it back when the row is refused for another reason (its license, say). */
export interface TelephonyCheck {
  taking: TelephonyTaking;
  unclaim(): void;
}

export const newTelephonyClaims = (named: NamedTelephony = { extensions: new Set(), numbers: new Set() }): TelephonyClaims => ({
  extensions: new Map(),
  numbers: new Map(),
  byUser: new Map(),
  named,
  from: {},
  released: { extensions: new Set(), numbers: new Set() },
});

/** Whether the company gives an extension, and a number, with every license. */
export interface AutomaticTelephony {
  extension: boolean;
  number: boolean;
}

/** Free values an "auto" row looks through at a time. */
export const FREE_PAGE = 20;

/**
 * The lowest free value no row of the file claims or names, from `claims.from` on, which moves up
 * to it: the values skipped are claimed or named, and stay so.
 */
export async function firstUnclaimed(
  page: (from: string | undefined) => Promise<string[]>,
  claimed: Map<string, string>,
  named: Set<string>,
  from: string | undefined,
  moveTo: (value: string) => void,
): Promise<string | undefined> {
  let cursor = from;
  for (;;) {
    const values = await page(cursor);
    const pick = values.find((value) => !claimed.has(value) && !named.has(value));
    if (pick !== undefined) {
      moveTo(pick);
      return pick;
    }
    if (values.length < FREE_PAGE) return undefined;
    // The next page starts at this one's last value (read twice, skipped again): no successor to compute.
    cursor = values[values.length - 1];
    moveTo(cursor);
  }
}

/**
 * What a license CSV row gives the user: each value, and whether the row named it (or said "auto");
 * `optional`: the company's automatic one, which the user goes without when none is left; null: nothing new.
 */
export interface TelephonyTaking {
  extension: { value: string; named: boolean; optional?: boolean } | null;
  number: { value: string; named: boolean; optional?: boolean } | null;
}

// A profile's checks read the licenses (the ledger's) and the numbers, which a settings rebuild prunes: their rebuilds are waited for before writing too.
const projectProfiles = inlineProjections([telephonyProfilesProjection], publishAsIs, [licensingLedgerProjection, telephonySettingsProjection]);
const NOT_LICENSED = 'the license was taken away meanwhile: only users with an X Series license get an extension and a number';
const EXTENSIONS_EXHAUSTED = 'every extension of the plan is taken: widen the range';
const NUMBERS_EXHAUSTED = 'no free number is left in the pool: operators import more';

/** Extensions and direct numbers of licensed users: set by admins, unique per company, published to telephony. */
@Injectable()
export class TelephonyService {
  constructor(
    @Inject(SERVICE_INFRASTRUCTURE) private readonly infrastructure: ServiceInfrastructure,
    @Inject(LicensingQueries) private readonly licensing: LicensingQueries,
    @Inject(TelephonyQueries) private readonly queries: TelephonyQueries,
  ) {}

  async changeSettings(tenantId: string, settings: TelephonySettings, correlationId: string): Promise<void> {
    await this.settingsCommand(tenantId, correlationId, { type: 'ChangeTelephonySettings', tenantId, settings });
  }

  async importNumbers(tenantId: string, numbers: readonly string[], correlationId: string): Promise<{ imported: number }> {
    const elsewhere = await this.queries.inOtherPools(tenantId, numbers.flatMap((number) => validE164(number) ?? []));
    if (elsewhere.length > 0) {
      const listed = elsewhere.slice(0, 10).join(', ') + (elsewhere.length > 10 ? ` and ${elsewhere.length - 10} more` : '');
      throw new ProblemError({ status: 409, title: 'number-taken', detail: `${listed} already belong to another company's pool: nothing was imported` });
    }
    const events = await this.settingsCommand(tenantId, correlationId, { type: 'ImportPhoneNumbers', tenantId, numbers });
    return { imported: events.reduce((sum, event) => sum + (event.type === 'PhoneNumbersImported' ? (event.data as { numbers: string[] }).numbers.length : 0), 0) };
  }

  /** A given extension, or the next free one of the plan. */
  async assignExtension(
    tenantId: string,
    userId: string,
    extension: string | undefined,
    correlationId: string,
    keepExisting = false,
  ): Promise<{ extension: string; outcome: TelephonyOutcome }> {
    const plan = (await this.queries.settings(tenantId)).extensionPlan;
    const user = await this.userFacts(tenantId, userId);
    const free = async () => (extension !== undefined ? [extension] : plan ? this.queries.freeExtensions(tenantId, plan, CANDIDATES) : ['']);
    return this.firstThatHolds(free, extension !== undefined, EXTENSIONS_EXHAUSTED, async (candidate) => {
      const events = await this.profileCommand(tenantId, userId, correlationId, { type: 'AssignExtension', userId, extension: candidate, plan, user, keepExisting });
      return { extension: candidate, outcome: events.length === 0 ? 'unchanged' : 'assigned' };
    });
  }

  /** A given number from the pool, or the next free one. */
  async assignNumber(
    tenantId: string,
    userId: string,
    number: string | undefined,
    correlationId: string,
    keepExisting = false,
  ): Promise<{ number: string; outcome: TelephonyOutcome }> {
    const user = await this.userFacts(tenantId, userId);
    const free = async () => (number !== undefined ? [asE164(number)] : this.queries.freeNumbers(tenantId, CANDIDATES));
    return this.firstThatHolds(free, number !== undefined, NUMBERS_EXHAUSTED, async (candidate) => {
      const availability = await this.queries.numberAvailability(tenantId, candidate);
      const events = await this.profileCommand(tenantId, userId, correlationId, { type: 'AssignPhoneNumber', userId, number: candidate, availability, user, keepExisting });
      return { number: candidate, outcome: events.length === 0 ? 'unchanged' : 'assigned' };
    });
  }

  /**
   * Throws what assigning this extension and number would throw once the user holds a license, and
   * stores nothing, so that a license CSV row is checked whole before any of it is applied.
   * `undefined`: the user's own or the next free one; `null`: none asked for. `claims`: what earlier
   * rows of the same file will take, counted as taken; what this row would take is added to it.
   * Returns the values the row takes that the user does not hold yet: the real run assigns exactly
   * those, so that it does what this check (and the dry run) said. `optional`: an automatic value
   * the company asked for rather than the row; none free leaves the user without one, not the row refused.
   */
  async checkAssignable(
    tenantId: string,
    userId: string,
    wanted: { extension: string | null | undefined; number: string | null | undefined },
    claims: TelephonyClaims = newTelephonyClaims(),
    optional: { extension?: boolean; number?: boolean } = {},
  ): Promise<TelephonyCheck> {
    const user = { ...(await this.userFacts(tenantId, userId)), licensed: true };
    // What the user holds, as the file's earlier rows for them leave it (stored by then in a real run; only claimed in a dry run).
    const stored = await this.queries.profile(tenantId, userId);
    const earlier = claims.byUser.get(userId);
    const held = { extension: earlier?.extension ?? stored.extension, number: earlier?.number ?? stored.number };
    const taking: { extension?: string; number?: string } = {};
    if (wanted.extension !== null && !(wanted.extension === undefined && held.extension !== null)) {
      const plan = (await this.queries.settings(tenantId)).extensionPlan;
      const free = async () =>
        plan
          ? firstUnclaimed(
              (from) => this.queries.freeExtensions(tenantId, plan, FREE_PAGE, from === undefined ? undefined : Number(from)),
              claims.extensions,
              claims.named.extensions,
              claims.from.extension === undefined ? undefined : String(claims.from.extension),
              (value) => (claims.from.extension = Number(value)),
            )
          : '';
      const extension = wanted.extension?.trim() ?? (await free());
      if (extension === undefined) {
        if (!optional.extension) throw asTelephonyProblem(new TelephonyRuleViolation('none-free', EXTENSIONS_EXHAUSTED));
      } else {
        await this.dryRun(userId, { type: 'AssignExtension', userId, extension, plan, user });
        const holder = await this.queries.holder(tenantId, { extension });
        const heldByAnother = holder !== null && holder !== userId && !claims.released.extensions.has(extension);
        if (heldByAnother || (claims.extensions.get(extension) ?? userId) !== userId) throw asTelephonyProblem(new ReservationConflictError('extension', `${tenantId}:${extension}`));
        taking.extension = extension;
      }
    }
    if (wanted.number !== null && !(wanted.number === undefined && held.number !== null)) {
      const free = async () =>
        firstUnclaimed(
          (from) => this.queries.freeNumbers(tenantId, FREE_PAGE, from),
          claims.numbers,
          claims.named.numbers,
          claims.from.number,
          (value) => (claims.from.number = value),
        );
      const number = wanted.number === undefined ? await free() : asE164(wanted.number);
      if (number === undefined) {
        if (!optional.number) throw asTelephonyProblem(new TelephonyRuleViolation('none-free', NUMBERS_EXHAUSTED));
      } else {
        await this.dryRun(userId, { type: 'AssignPhoneNumber', userId, number, availability: await this.queries.numberAvailability(tenantId, number), user });
        const holder = await this.queries.holder(tenantId, { number });
        const heldByAnother = holder !== null && holder !== userId && !claims.released.numbers.has(number);
        if (heldByAnother || (claims.numbers.get(number) ?? userId) !== userId) throw asTelephonyProblem(new ReservationConflictError('phone-number', `${tenantId}:${number}`));
        taking.number = number;
      }
    }
    // New for this user: neither held nor taken for them by an earlier row of the file.
    const isNew = (value: string | undefined, heldValue: string | null, claimed: Map<string, string>) => value !== undefined && value !== heldValue && claimed.get(value) !== userId;
    const result: TelephonyTaking = {
      extension: isNew(taking.extension, held.extension, claims.extensions) ? { value: taking.extension!, named: wanted.extension !== undefined, optional: optional.extension === true } : null,
      number: isNew(taking.number, held.number, claims.numbers) ? { value: taking.number!, named: wanted.number !== undefined, optional: optional.number === true } : null,
    };
    const added: [Map<string, string>, string][] = [];
    for (const [map, value] of [
      [claims.extensions, taking.extension],
      [claims.numbers, taking.number],
    ] as const) {
      if (value === undefined) continue;
      if (!map.has(value)) added.push([map, value]);
      map.set(value, userId);
    }
    if (taking.extension !== undefined || taking.number !== undefined) claims.byUser.set(userId, { ...earlier, ...taking });
    const unclaim = () => {
      for (const [map, value] of added) map.delete(value);
      if (earlier === undefined) claims.byUser.delete(userId);
      else claims.byUser.set(userId, earlier);
    };
    return { taking: result, unclaim };
  }

  /**
   * A row of a file that takes a user's last license frees the user's extension and number for the
   * rows after it, as releaseAllOfUnlicensed then does (an admin's release: no quarantine), so that
   * a file can hand a leaver's extension to someone else, in its dry run as in the upload.
   */
  async releaseForLaterRows(tenantId: string, userId: string, claims: TelephonyClaims): Promise<void> {
    const stored = await this.queries.profile(tenantId, userId);
    const earlier = claims.byUser.get(userId);
    for (const [kind, value] of [
      ['extensions', earlier?.extension ?? stored.extension],
      ['numbers', earlier?.number ?? stored.number],
    ] as const) {
      if (value === null || value === undefined) continue;
      claims.released[kind].add(value);
      if (claims[kind].get(value) === userId) claims[kind].delete(value);
    }
    claims.byUser.delete(userId);
  }

  /**
   * What checkAssignable said a row takes: a value the row named is that value or a refusal; one it
   * left to us ("auto") is the one the check picked, else (taken meanwhile) the next free one.
   * Whether anything changed.
   */
  async take(tenantId: string, userId: string, taking: TelephonyTaking, correlationId: string): Promise<boolean> {
    let changed = false;
    for (const [kind, value] of [
      ['extension', taking.extension],
      ['number', taking.number],
    ] as const) {
      if (value === null) continue;
      // "auto" never replaces what the user got meanwhile (the automatic assignment with the license, say).
      const assign = (chosen: string | undefined) =>
        kind === 'extension' ? this.assignExtension(tenantId, userId, chosen, correlationId, !value.named) : this.assignNumber(tenantId, userId, chosen, correlationId, !value.named);
      let outcome: TelephonyOutcome;
      try {
        ({ outcome } = await assign(value.value));
      } catch (error) {
        const taken = error instanceof ProblemError && (error.problem.title === 'extension-taken' || error.problem.title === 'number-taken');
        if (value.named || !taken) throw error;
        try {
          ({ outcome } = await assign(undefined));
        } catch (next) {
          // The company's automatic value, none to be had now (the last ones taken meanwhile): the user goes without, as with the license alone.
          if (value.optional && next instanceof ProblemError && next.problem.status < 500) continue;
          throw next;
        }
      }
      changed ||= outcome === 'assigned';
    }
    return changed;
  }

  async releaseExtension(tenantId: string, userId: string, reason: ReleaseReason, correlationId: string): Promise<TelephonyOutcome> {
    const events = await this.profileCommand(tenantId, userId, correlationId, { type: 'ReleaseExtension', userId, reason });
    return events.length === 0 ? 'unchanged' : 'released';
  }

  /**
   * Only licensed users hold an extension and a number: once a user has none, both go back. Called
   * after every unassignment, changed or not, so that a retry of one that stopped before this step
   * still frees them. A deleted user's go through the number quarantine instead (their reaction).
   */
  async releaseAllOfUnlicensed(tenantId: string, userId: string, correlationId: string): Promise<void> {
    const user = await this.licensing.user(tenantId, userId);
    if (!user || user.plan !== null || user.status === 'deleted') return;
    await this.releaseExtension(tenantId, userId, 'admin', correlationId);
    await this.releaseNumber(tenantId, userId, 'admin', correlationId);
  }

  /** A deleted user's number sits out the company's quarantine before anyone else gets it. */
  async releaseNumber(tenantId: string, userId: string, reason: ReleaseReason, correlationId: string): Promise<TelephonyOutcome> {
    const { quarantineDays } = await this.queries.settings(tenantId);
    const quarantinedUntil = reason === 'user-deleted' && quarantineDays > 0 ? new Date(Date.now() + quarantineDays * 86_400_000).toISOString() : null;
    const events = await this.profileCommand(tenantId, userId, correlationId, { type: 'ReleasePhoneNumber', userId, reason, quarantinedUntil });
    return events.length === 0 ? 'unchanged' : 'released';
  }

  /** Which values the company gives automatically with a license (an extension only where it has a plan). */
  async automaticAssignment(tenantId: string): Promise<AutomaticTelephony> {
    const settings = await this.queries.settings(tenantId);
    return { extension: settings.autoAssignExtension && settings.extensionPlan !== null, number: settings.autoAssignNumber };
  }

  /**
   * After a license is assigned: the next free extension and number, where the company asked for
   * it. By the time this runs the license may be gone again (a CSV's assign then unassign): then
   * there is nothing to do, and what an assignment racing the unassignment took is given back.
   */
  async autoAssign(tenantId: string, userId: string, correlationId: string, licenseEventId?: string): Promise<void> {
    const settings = await this.queries.settings(tenantId);
    const profile = await this.queries.profile(tenantId, userId);
    const wantsExtension = settings.autoAssignExtension && profile.extension === null;
    const wantsNumber = settings.autoAssignNumber && profile.number === null;
    // What changed in the profile after the license's event was decided then (by an admin, or by an
    // earlier delivery of this same event): a late or repeated delivery leaves it as it is. "After"
    // in the store's order, which no pod's clock sets.
    const decided = licenseEventId === undefined || (!wantsExtension && !wantsNumber) ? [] : await this.profileChangesAfter(userId, licenseEventId);
    const untouched = (...types: string[]) => !decided.some((type) => types.includes(type));
    // Each on its own: an exhausted plan or pool is the admin's to fix, and the user stays licensed
    // without that one (and still gets the other); a user no longer licensed gets neither.
    const automatically = async (assign: () => Promise<unknown>): Promise<'given' | 'not-licensed'> => {
      try {
        await assign();
        return 'given';
      } catch (error) {
        const title = error instanceof ProblemError ? error.problem.title : undefined;
        if (title === 'not-licensed' || title === 'user-deleted' || title === 'user-not-found') return 'not-licensed';
        if (title !== 'none-free') throw error;
        this.infrastructure.logger.warn({ tenantId, userId, detail: (error as ProblemError).problem.detail }, 'automatic telephony assignment skipped');
        return 'given';
      }
    };
    const extension = wantsExtension && untouched('ExtensionAssigned', 'ExtensionReleased') ? await automatically(() => this.assignExtension(tenantId, userId, undefined, correlationId, true)) : 'given';
    if (extension === 'given' && wantsNumber && untouched('PhoneNumberAssigned', 'PhoneNumberReleased')) {
      await automatically(() => this.assignNumber(tenantId, userId, undefined, correlationId, true));
    }
    // The extension may have gone through just before the license went: the number's refusal says so.
    await this.releaseAllOfUnlicensed(tenantId, userId, correlationId);
  }

  /** The types of the user's profile events stored after the given event. */
  private async profileChangesAfter(userId: string, eventId: string): Promise<string[]> {
    const rows = (await this.infrastructure.dataSource.query(
      `SELECT p.event_type FROM event_store.events p
        WHERE p.stream_id = $1 AND p.global_position > (SELECT global_position FROM event_store.events WHERE event_id = $2::uuid)`,
      [`telephony-${userId}`, eventId],
    )) as { event_type: string }[];
    return rows.map((row) => row.event_type);
  }

  private async userFacts(tenantId: string, userId: string): Promise<TelephonyUserFacts> {
    const user = await companyUser(this.licensing, tenantId, userId);
    return { licensed: user.plan !== null, deleted: user.status === 'deleted' };
  }

  /**
   * A named value is tried once. Otherwise the free ones are tried, starting at a random one of the
   * lowest few so that concurrent assignments spread out, and read again when all were taken meanwhile.
   */
  private async firstThatHolds<T>(free: () => Promise<string[]>, named: boolean, noneFree: string, attempt: (candidate: string) => Promise<T>): Promise<T> {
    for (let round = 0; round < ROUNDS; round++) {
      const candidates = await free();
      if (candidates.length === 0) break;
      const start = named ? 0 : Math.floor(Math.random() * candidates.length);
      for (let offset = 0; offset < candidates.length; offset++) {
        try {
          return await attempt(candidates[(start + offset) % candidates.length]);
        } catch (error) {
          const taken = error instanceof ProblemError && (error.problem.title === 'extension-taken' || error.problem.title === 'number-taken');
          if (!taken || named) throw error;
        }
      }
    }
    throw asTelephonyProblem(new TelephonyRuleViolation('none-free', noneFree));
  }

  private async profileCommand(tenantId: string, userId: string, correlationId: string, command: TelephonyProfileCommand) {
    try {
      const outcome = await this.infrastructure.commands.run({
        streamId: `telephony-${userId}`,
        streamType: 'telephony',
        decider: telephonyProfileDecider,
        command,
        context: { tenantId, correlationId, actor: 'licensing' },
        reservations: (events, before) => telephonyReservations(tenantId, events, before),
        toOutbox: outboxFor(publishAsIs),
        inTransaction: around(projectProfiles, async (manager, events) => {
          // The license was read before this transaction; an unassignment may have taken it since.
          if (events.some((event) => event.type === 'ExtensionAssigned' || event.type === 'PhoneNumberAssigned') && !(await holdsLicenseUntilCommit(manager, userId))) {
            throw new TelephonyRuleViolation('not-licensed', NOT_LICENSED);
          }
          // So was the number's quarantine: a deleted user's release may have committed since.
          for (const event of events) {
            const number = event.type === 'PhoneNumberAssigned' ? (event.data as { number: string }).number : undefined;
            if (number !== undefined && (await inQuarantineUntilCommit(manager, tenantId, number))) throw quarantined(number);
          }
          await projectProfiles(manager, events);
        }),
      });
      return outcome.events;
    } catch (error) {
      throw asTelephonyProblem(error);
    }
  }

  private async dryRun(userId: string, command: TelephonyProfileCommand): Promise<void> {
    try {
      await this.infrastructure.commands.dryRun({ streamId: `telephony-${userId}`, decider: telephonyProfileDecider, command });
    } catch (error) {
      throw asTelephonyProblem(error);
    }
  }

  private async settingsCommand(tenantId: string, correlationId: string, command: TelephonySettingsCommand) {
    try {
      const outcome = await this.infrastructure.commands.run({
        streamId: `telephony-settings-${tenantId}`,
        streamType: 'telephony-settings',
        decider: telephonySettingsDecider,
        command,
        context: { tenantId, correlationId, actor: 'licensing' },
        reservations: phoneNumberPoolReservations,
        // A pool's numbers are rows a profiles rebuild rewrites.
        inTransaction: inlineProjections([telephonySettingsProjection], publishAsIs, [telephonyProfilesProjection]),
      });
      return outcome.events;
    } catch (error) {
      throw asTelephonyProblem(error);
    }
  }
}

function validE164(number: string): string | null {
  try {
    return normaliseE164(number);
  } catch {
    return null;
  }
}

function asE164(number: string): string {
  try {
    return normaliseE164(number);
  } catch (error) {
    throw asTelephonyProblem(error);
  }
}

const STATUS: Record<TelephonyRuleViolation['code'], number> = {
  'not-licensed': 409,
  'user-deleted': 409,
  'no-extension-plan': 409,
  'invalid-extension': 400,
  'invalid-number': 400,
  'not-in-pool': 409,
  quarantined: 409,
  'extension-taken': 409,
  'number-taken': 409,
  'none-free': 409,
  'invalid-value': 400,
};

export function asTelephonyProblem(error: unknown): unknown {
  if (error instanceof ReservationConflictError && error.scope === PHONE_NUMBER_POOL_SCOPE) {
    return new ProblemError({ status: 409, title: 'number-taken', detail: `${error.key} already belongs to another company's pool: nothing was imported` });
  }
  if (error instanceof ReservationConflictError) {
    const extension = error.scope === 'extension';
    const value = error.key.slice(error.key.indexOf(':') + 1);
    return new ProblemError({ status: 409, title: extension ? 'extension-taken' : 'number-taken', detail: `${value} is already assigned to another user of this company` });
  }
  return error instanceof TelephonyRuleViolation ? new ProblemError({ status: STATUS[error.code], title: error.code, detail: error.message }) : error;
}
