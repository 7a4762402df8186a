import { readFileSync } from 'node:fs';
import { baseUrl, callApi, CliError, output, platformToken, requiredFlag, switchFlag, type Invocation } from './cli-runtime';
import { userId } from './license.commands';

const telephony = (invocation: Invocation) => `/api/v1/tenants/${encodeURIComponent(requiredFlag(invocation, 'tenant'))}/telephony`;

type Overview = {
  settings: { extensionPlan: { length: number; rangeStart: number; rangeEnd: number } | null; autoAssignExtension: boolean; autoAssignNumber: boolean; quarantineDays: number };
  pool: { total: number; assigned: number; quarantined: number; available: number };
};

const overviewText = ({ settings, pool }: Overview) =>
  [
    `extension plan: ${settings.extensionPlan ? `${settings.extensionPlan.length} digits, ${settings.extensionPlan.rangeStart}–${settings.extensionPlan.rangeEnd}` : 'none'}`,
    `automatic with a license: extension ${settings.autoAssignExtension ? 'yes' : 'no'}, number ${settings.autoAssignNumber ? 'yes' : 'no'}`,
    `numbers: ${pool.total} (${pool.assigned} assigned, ${pool.quarantined} in quarantine of ${settings.quarantineDays} days, ${pool.available} free)`,
  ].join('\n');

/** The company's telephony settings (`telephony ...`) and number pool (`number import`). */
export const telephonyCommands = {
  async status(invocation: Invocation): Promise<void> {
    const overview = await callApi<Overview>('GET', telephony(invocation));
    output(invocation, overview, () => overviewText(overview));
  },

  async plan(invocation: Invocation): Promise<void> {
    const current = (await callApi<Overview>('GET', telephony(invocation))).settings;
    const flag = (name: string) => invocation.flags.get(name);
    const int = (name: string, fallback: number | undefined) => {
      const value = flag(name);
      if (value === undefined) return fallback;
      if (typeof value !== 'string' || !/^\d+$/.test(value)) throw new CliError(`--${name} is a whole number`);
      return Number(value);
    };
    const length = int('length', current.extensionPlan?.length);
    const rangeStart = int('from', current.extensionPlan?.rangeStart);
    const rangeEnd = int('to', current.extensionPlan?.rangeEnd);
    const overview = await callApi<Overview>('PUT', `${telephony(invocation)}/settings`, {
      extensionPlan: length === undefined || rangeStart === undefined || rangeEnd === undefined ? null : { length, rangeStart, rangeEnd },
      autoAssignExtension: flag('auto-extension') === undefined ? current.autoAssignExtension : switchFlag(invocation, 'auto-extension'),
      autoAssignNumber: flag('auto-number') === undefined ? current.autoAssignNumber : switchFlag(invocation, 'auto-number'),
      quarantineDays: int('quarantine-days', current.quarantineDays),
    });
    output(invocation, overview, () => overviewText(overview));
  },
};

export const numberCommands = {
  /** E.164 numbers, one per line (a `number` header is allowed); operators only. */
  async import(invocation: Invocation): Promise<void> {
    const file = invocation.words[2];
    if (!file) throw new CliError('usage: number import --tenant T FILE');
    const response = await fetch(`${baseUrl()}${telephony(invocation)}/numbers`, {
      method: 'POST',
      headers: { authorization: `Bearer ${platformToken()}`, 'content-type': 'text/plain' },
      body: readFileSync(file, 'utf8'),
    });
    const result = (await response.json()) as { imported?: number; pool?: Overview['pool']; detail?: string };
    if (!response.ok) throw new CliError(`import refused: ${response.status} ${result.detail ?? ''}`, result);
    output(invocation, result, () => `${result.imported} numbers imported; the pool has ${result.pool!.total} (${result.pool!.available} free)`);
  },
};

/** `user extension` and `user number`: a given value, the next free one, or `--release`. */
export async function assignTelephony(invocation: Invocation, kind: 'extension' | 'number'): Promise<void> {
  const path = `${telephony(invocation)}/users/${await userId(invocation)}/${kind}`;
  if (switchFlag(invocation, 'release')) {
    const result = await callApi<{ outcome: string }>('DELETE', path);
    return output(invocation, result, () => `${kind} ${result.outcome}`);
  }
  const value = invocation.flags.get(kind);
  if (value !== undefined && typeof value !== 'string') throw new CliError(`--${kind} needs a value (or leave it out for the next free one)`);
  const result = await callApi<Record<string, string>>('PUT', path, value === undefined ? {} : { [kind]: value });
  output(invocation, result, () => `${kind} ${result[kind]} (${result.outcome})`);
}
