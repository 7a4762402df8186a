import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { BENCH_PLATFORM_TOKEN } from './bench-stack';

async function json<T>(response: Response): Promise<T> {
  if (!response.ok) throw new Error(`${response.url}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

/**
 * A company with the site London and SCIM enabled for Azure AD, what an admin sets up before
 * provisioning starts; it returns once the company and its site have reached scim-ingest (through
 * Kafka), at most a minute later. Used by the benchmarks and the chaos suite.
 */
export async function createScimTenant(
  directory: string,
  scim: string,
  database: string,
  platformToken = BENCH_PLATFORM_TOKEN,
  label = 'Bench',
): Promise<{ tenantId: string; adminToken: string; token: string }> {
  const platform = { authorization: `Bearer ${platformToken}`, 'content-type': 'application/json' };
  const tenant = await json<{ tenantId: string; adminToken: string }>(
    await fetch(`${directory}/api/v1/tenants`, { method: 'POST', headers: platform, body: JSON.stringify({ name: `${label} ${randomUUID()}` }) }),
  );
  const admin = { authorization: `Bearer ${tenant.adminToken}`, 'content-type': 'application/json' };
  await json(await fetch(`${directory}/api/v1/tenants/${tenant.tenantId}/sites`, { method: 'POST', headers: admin, body: JSON.stringify({ name: 'London' }) }));
  const db = new Client({ connectionString: database });
  await db.connect();
  try {
    for (let attempt = 0; attempt < 1200; attempt++) {
      const rows = await db.query(`SELECT 1 FROM scim.site_names WHERE tenant_id = $1`, [tenant.tenantId]);
      const response = rows.rowCount ? await fetch(`${scim}/api/v1/tenants/${tenant.tenantId}/provisioning/scim`, { method: 'PUT', headers: admin, body: JSON.stringify({ idp: 'azure-ad' }) }) : undefined;
      if (response?.ok) {
        const { token } = (await response.json()) as { token: string };
        return { tenantId: tenant.tenantId, adminToken: tenant.adminToken, token };
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  } finally {
    await db.end();
  }
  throw new Error('the company and its site did not reach scim-ingest within a minute');
}

/** A user as Azure AD creates it, with the site London. */
export function benchUser(userName: string) {
  return {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
    userName,
    externalId: userName.split('@')[0],
    active: true,
    title: 'Engineer',
    emails: [{ primary: true, type: 'work', value: userName }],
    name: { givenName: 'Bench', familyName: 'User' },
    'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { department: 'Support' },
    'urn:ietf:params:scim:schemas:extension:8x8:1.1:User': { site: 'London' },
  };
}
