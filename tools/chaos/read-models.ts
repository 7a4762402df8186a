import { execFileSync } from 'node:child_process';
import { Pool } from 'pg';
import type { AcknowledgedUser } from './provisioning-load';
import { sleep, workspaceRoot } from './chaos-stack';

/** The user read model of each service, with how it spells "active", and its projection. */
export const USER_READ_MODELS = [
  { projection: 'directory.users', table: 'directory.users', active: `status = 'active'` },
  { projection: 'scim.users', table: 'scim.users', active: 'active' },
  { projection: 'licensing.users', table: 'licensing.users', active: `status = 'active'` },
  { projection: 'sso.login-accounts', table: 'sso.login_accounts', active: `status = 'active'` },
] as const;

/** What is wrong with one read model for this tenant, compared with what the IdP was told; empty when it matches. */
async function differences(pool: Pool, table: string, active: string, tenantId: string, expected: Map<string, boolean>): Promise<string[]> {
  const { rows } = await pool.query<{ user_id: string; active: boolean; copies: number }>(
    `SELECT user_id::text, bool_and(${active}) AS active, count(*)::int AS copies FROM ${table} WHERE tenant_id = $1 GROUP BY user_id`,
    [tenantId],
  );
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const row of rows) {
    seen.add(row.user_id);
    if (!expected.has(row.user_id)) problems.push(`${row.user_id} is not a user the IdP created`);
    else if (row.copies !== 1) problems.push(`${row.user_id} appears ${row.copies} times`);
    else if (row.active !== expected.get(row.user_id)) problems.push(`${row.user_id} is ${row.active ? 'active' : 'inactive'}, acknowledged ${expected.get(row.user_id) ? 'active' : 'inactive'}`);
  }
  const missing = [...expected.keys()].filter((userId) => !seen.has(userId));
  if (missing.length) problems.push(`${missing.length} acknowledged users missing (e.g. ${missing.slice(0, 3).join(', ')})`);
  return problems;
}

export interface Convergence {
  /** Milliseconds from recovery until every read model matched, or undefined if none did in time. */
  convergedAfterMs?: number;
  /** When each read model first matched, in milliseconds after recovery: who lagged. */
  perModelMs: Record<string, number>;
  /** When it did not converge: what each read model still got wrong. */
  lastProblems: Record<string, string[]>;
}

/** Polls every read model until all of them hold exactly the acknowledged users and states. */
export async function waitForConvergence(pool: Pool, tenantId: string, users: readonly AcknowledgedUser[], recoveredAt: number, giveUpMs: number): Promise<Convergence> {
  const expected = new Map(users.map((user) => [user.userId, user.active]));
  const giveUpAt = Date.now() + giveUpMs;
  let lastProblems: Record<string, string[]> = {};
  const perModelMs: Record<string, number> = {};
  for (;;) {
    lastProblems = {};
    for (const model of USER_READ_MODELS) {
      const problems = await differences(pool, model.table, model.active, tenantId, expected);
      if (problems.length) lastProblems[model.table] = problems.slice(0, 5);
      else perModelMs[model.table] ??= Math.max(0, Date.now() - recoveredAt);
    }
    if (Object.keys(lastProblems).length === 0) return { convergedAfterMs: Math.max(0, Date.now() - recoveredAt), perModelMs, lastProblems };
    if (Date.now() > giveUpAt) return { perModelMs, lastProblems };
    await sleep(200);
  }
}

/** What the event store holds for each user stream of the tenant that does not match the acknowledged users. */
export async function eventStoreProblems(pool: Pool, tenantId: string, users: readonly AcknowledgedUser[]): Promise<string[]> {
  const { rows } = await pool.query<{ stream_id: string; provisioned: number; types: string[] }>(
    `SELECT stream_id, count(*) FILTER (WHERE event_type = 'UserProvisioned')::int AS provisioned,
            array_agg(event_type ORDER BY stream_version) AS types
       FROM event_store.events
      WHERE stream_type = 'user' AND metadata->>'tenantId' = $1
      GROUP BY stream_id`,
    [tenantId],
  );
  const expected = new Map(users.map((user) => [`user-${user.userId}`, user.active]));
  const problems: string[] = [];
  for (const row of rows) {
    const acknowledged = expected.get(row.stream_id);
    const lastToggle = row.types.filter((type) => type === 'UserDeactivated' || type === 'UserReactivated' || type === 'UserProvisioned').at(-1);
    if (acknowledged === undefined) problems.push(`${row.stream_id} was never acknowledged to the IdP (events: ${row.types.join(', ')})`);
    else if (row.provisioned !== 1) problems.push(`${row.stream_id} was provisioned ${row.provisioned} times`);
    else if ((lastToggle !== 'UserDeactivated') !== acknowledged) problems.push(`${row.stream_id} ends ${lastToggle}, acknowledged ${acknowledged ? 'active' : 'inactive'}`);
    expected.delete(row.stream_id);
  }
  if (expected.size) problems.push(`${expected.size} acknowledged users have no stream (e.g. ${[...expected.keys()].slice(0, 3).join(', ')})`);
  return problems;
}

export interface Fingerprint {
  rows: number;
  checksum: string;
}

/** Count and md5 of every row of each user read model, all tenants, in user_id order. */
export async function fingerprints(pool: Pool): Promise<Record<string, Fingerprint>> {
  const result: Record<string, Fingerprint> = {};
  for (const model of USER_READ_MODELS) {
    const { rows } = await pool.query<{ rows: number; checksum: string }>(
      `SELECT count(*)::int AS rows, coalesce(md5(string_agg(t::text, E'\\n' ORDER BY t.user_id)), '') AS checksum FROM ${model.table} t`,
    );
    result[model.table] = rows[0];
  }
  return result;
}

/** Replays the event store into each user read model with the operators' CLI. */
export function rebuildUserReadModels(databaseUrl: string): void {
  for (const model of USER_READ_MODELS) {
    execFileSync('node', ['dist/tools/cli/main.js', 'projections', 'rebuild', model.projection, '--json'], {
      cwd: workspaceRoot,
      env: { ...process.env, DATABASE_URL: databaseUrl },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
  }
}
