import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** Parsed `--flag value` / `--switch` arguments and the positional words before them. */
export interface Invocation {
  words: string[];
  flags: Map<string, string | true>;
  json: boolean;
}

export function parseArguments(argv: readonly string[]): Invocation {
  const words: string[] = [];
  const flags = new Map<string, string | true>();
  for (let index = 0; index < argv.length; index++) {
    const argument = argv[index];
    if (argument.startsWith('--')) {
      const [name, inline] = argument.slice(2).split(/=(.*)/s, 2);
      const next = argv[index + 1];
      if (inline !== undefined) flags.set(name, inline);
      else if (next !== undefined && !next.startsWith('--')) {
        flags.set(name, next);
        index++;
      } else flags.set(name, true);
    } else words.push(argument);
  }
  const invocation = { words, flags, json: false };
  invocation.json = switchFlag(invocation, 'json');
  return invocation;
}

/**
 * A switch (`--dry-run`): on when given bare or as `true`, off as `false`. Any other value is
 * refused, so that `--dry-run yes` cannot run the real import.
 */
export function switchFlag(invocation: Pick<Invocation, 'flags'>, name: string): boolean {
  const value = invocation.flags.get(name);
  if (value === undefined || value === 'false') return false;
  if (value === true || value === 'true') return true;
  throw new CliError(`--${name} is a switch: give it alone (or as --${name}=true / --${name}=false), not "${value}"`);
}

export class CliError extends Error {
  constructor(
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export function requiredFlag(invocation: Invocation, name: string): string {
  const value = invocation.flags.get(name);
  if (typeof value !== 'string' || value.trim() === '') throw new CliError(`--${name} is required`);
  return value;
}

export const DEFAULT_URL = 'http://localhost:3000';

/** The stack the CLI talks to: IDENTITY_URL, or the embedded stack on this machine. */
export function baseUrl(): string {
  return (process.env.IDENTITY_URL ?? DEFAULT_URL).replace(/\/+$/, '');
}

/**
 * The operator's token: IDENTITY_TOKEN, else (for the embedded stack on this machine) the token
 * that `npm start` keeps in its data directory.
 */
export function platformToken(): string {
  if (process.env.IDENTITY_TOKEN) return process.env.IDENTITY_TOKEN;
  const file = path.resolve(process.env.EMBEDDED_DATA_DIR ?? '.data', 'platform-admin-token');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  throw new CliError('no token: set IDENTITY_TOKEN (the embedded stack keeps its token in .data/platform-admin-token)');
}

/** Calls the admin API; a problem-details answer becomes a CliError carrying it. */
export async function callApi<T>(method: string, pathname: string, body?: unknown, token = platformToken()): Promise<T> {
  let response: Response;
  try {
    response = await fetch(`${baseUrl()}${pathname}`, {
      method,
      // A Buffer is a file sent as it is (a certificate upload); anything else is JSON.
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': Buffer.isBuffer(body) ? 'application/octet-stream' : 'application/json' }) },
      body: body === undefined ? undefined : Buffer.isBuffer(body) ? new Uint8Array(body) : JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
  } catch (error) {
    throw new CliError(`cannot reach ${baseUrl()}: ${(error as Error).message} (is the stack running? npm start)`);
  }
  const text = await response.text();
  const parsed = text ? safeJson(text) : undefined;
  if (!response.ok) {
    const problem = parsed as { title?: string; detail?: string } | undefined;
    throw new CliError(`${method} ${pathname} failed: ${response.status} ${problem?.title ?? ''}${problem?.detail ? `: ${problem.detail}` : ''}`.trim(), parsed);
  }
  return parsed as T;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return { detail: text.slice(0, 500) };
  }
}

/** Prints a result: JSON with --json, else the human lines. */
export function output(invocation: Invocation, result: unknown, human: () => string): void {
  process.stdout.write(invocation.json ? `${JSON.stringify(result, null, 2)}\n` : `${human()}\n`);
}

/** Prints a result that scripts read (`tenant create`, `scim enable`): JSON, with or without --json; a word for people on stderr. */
export function outputJson(invocation: Invocation, result: unknown, note: string): void {
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  if (!invocation.json) process.stderr.write(`${note}\n`);
}
