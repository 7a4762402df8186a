import { randomUUID } from 'node:crypto';
import { sleep } from './chaos-stack';

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const SITE_8X8 = 'urn:ietf:params:scim:schemas:extension:8x8:1.1:User';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

/** Azure AD's create body (the shape of apps/identity-e2e's recorded requests). */
function azureCreateUser(userName: string, index: number) {
  return {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', ENTERPRISE],
    externalId: userName.split('@')[0],
    userName,
    active: true,
    displayName: `Chaos User ${index}`,
    title: 'Engineer',
    emails: [{ primary: true, type: 'work', value: userName }],
    phoneNumbers: [
      { type: 'mobile', value: '+1 (555) 555-0100' },
      { type: 'work', value: `+1555${String(index).padStart(7, '0')}` },
    ],
    name: { formatted: `Chaos User ${index}`, familyName: 'User', givenName: `Chaos${index}` },
    [ENTERPRISE]: { department: 'Support' },
    [SITE_8X8]: { site: 'London' },
    meta: { resourceType: 'User' },
    roles: [],
  };
}

const AZURE_DISABLE = { schemas: [PATCH_OP], Operations: [{ op: 'Replace', path: 'active', value: 'False' }] };

export interface Tenant {
  tenantId: string;
  token: string;
}

/** A response the contract forbids under a fault: anything but 2xx, 503 or 429 with Retry-After. */
export interface Violation {
  request: string;
  status: number;
  retryAfter: string | null;
  body: string;
  at: string;
}

export interface LoadStats {
  requests: number;
  succeeded: number;
  /** Retryable failures by status ("503", "429") or "connection" when no HTTP answer came. */
  failures: Record<string, number>;
  retried: number;
  /** Creates whose first attempt failed but had committed: the retry got 409 and found the user by userName. */
  recoveredAfterLostAnswer: number;
  violations: Violation[];
  /** Requests still without a 2xx when their attempts or the deadline ran out. */
  unresolved: string[];
}

export interface AcknowledgedUser {
  userId: string;
  userName: string;
  /** The last state the IdP got a 2xx for. */
  active: boolean;
}

export interface LoadOptions {
  users: number;
  concurrency: number;
  /** Every n-th user is deactivated right after its create (Azure's PATCH active False). */
  deactivateEvery: number;
  deadline: number;
  /** How long one request may keep retrying before it counts as never having succeeded. */
  requestBudgetMs: number;
  /** Called after each acknowledged create with the count so far. */
  onAcknowledged?: (count: number) => void;
}

/**
 * Azure AD's provisioning cycle against scim-ingest, retrying as a well-behaved client does: after
 * a 503 or 429 it waits Retry-After (capped), after a lost connection briefly. Every answer the
 * contract does not allow is recorded as a violation, with its body, and retried like the others
 * so that one bug does not hide what the other assertions would find.
 */
export async function runProvisioning(scimUrl: string, tenant: Tenant, options: LoadOptions) {
  const base = `${scimUrl}/scim/v2/${tenant.tenantId}`;
  const headers = { authorization: `Bearer ${tenant.token}`, 'content-type': 'application/scim+json' };
  const stats: LoadStats = { requests: 0, succeeded: 0, failures: {}, retried: 0, recoveredAfterLostAnswer: 0, violations: [], unresolved: [] };
  const users: AcknowledgedUser[] = [];
  const runTag = randomUUID().slice(0, 8);

  const send = async (method: string, path: string, body: unknown, label: string, onConflict?: () => Promise<unknown>): Promise<unknown> => {
    let backoffMs = 250;
    const giveUpAt = Math.min(options.deadline, Date.now() + options.requestBudgetMs);
    for (let attempt = 1; Date.now() < giveUpAt; attempt++) {
      if (attempt > 1) stats.retried++;
      stats.requests++;
      let response: Response;
      let text: string;
      try {
        response = await fetch(`${base}${path}`, { method, headers, body: JSON.stringify(body), signal: AbortSignal.timeout(20_000) });
        text = await response.text();
      } catch {
        // Refused or reset (a killed process) or no answer in time: the request may have landed.
        stats.failures.connection = (stats.failures.connection ?? 0) + 1;
        await sleep(backoffMs);
        backoffMs = Math.min(2 * backoffMs, 2_000);
        continue;
      }
      if (response.ok) {
        stats.succeeded++;
        return JSON.parse(text) as unknown;
      }
      const retryAfter = response.headers.get('retry-after');
      // After a failed attempt the create may have committed anyway (the answer, or the commit's
      // acknowledgement, was lost): like Azure AD, find the user by userName instead.
      if (response.status === 409 && attempt > 1 && onConflict) {
        stats.succeeded++;
        stats.recoveredAfterLostAnswer++;
        return onConflict();
      }
      const retryable = (response.status === 503 || response.status === 429) && retryAfter !== null && Number(retryAfter) >= 0;
      stats.failures[String(response.status)] = (stats.failures[String(response.status)] ?? 0) + 1;
      if (!retryable) {
        stats.violations.push({ request: `${method} ${path} (${label})`, status: response.status, retryAfter, body: text.slice(0, 500), at: new Date().toISOString() });
      }
      await sleep(Math.min(Number(retryAfter ?? 1), 5) * 1000);
    }
    stats.unresolved.push(`${method} ${path} (${label})`);
    return undefined;
  };

  const findByUserName = async (userName: string) => {
    const found = (await send('GET', `/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}`, undefined, `find ${userName}`)) as { Resources?: { id: string }[] } | undefined;
    return found?.Resources?.[0];
  };

  let next = 0;
  const worker = async () => {
    while (next < options.users) {
      const index = next++;
      const userName = `chaos.${runTag}.${index}@contoso.example`;
      const created = (await send('POST', '/Users', azureCreateUser(userName, index), userName, () => findByUserName(userName))) as { id: string } | undefined;
      if (!created) continue;
      const user: AcknowledgedUser = { userId: created.id, userName, active: true };
      users.push(user);
      options.onAcknowledged?.(users.length);
      if (index % options.deactivateEvery === 0 && (await send('PATCH', `/Users/${created.id}`, AZURE_DISABLE, `deactivate ${userName}`)) !== undefined) user.active = false;
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  return { stats, users };
}
