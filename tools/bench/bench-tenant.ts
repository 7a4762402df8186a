import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { BENCH_PLATFORM_TOKEN } from './bench-stack';

async function json<T>(response: Response): Promise<T> {
  if (!response.ok) throw new Error(`${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

/** A company with the site London and SCIM enabled for Azure AD: what an admin sets up before provisioning starts. */
export async function createBenchTenant(directory: string, scim: string, database: string): Promise<{ tenantId: string; adminToken: string; token: string }> {
  const platform = { authorization: `Bearer ${BENCH_PLATFORM_TOKEN}`, 'content-type': 'application/json' };
  const tenant = await json<{ tenantId: string; adminToken: string }>(
    await fetch(`${directory}/api/v1/tenants`, { method: 'POST', headers: platform, body: JSON.stringify({ name: `Bench ${randomUUID()}` }) }),
  );
  const admin = { authorization: `Bearer ${tenant.adminToken}`, 'content-type': 'application/json' };
  await json(await fetch(`${directory}/api/v1/tenants/${tenant.tenantId}/sites`, { method: 'POST', headers: admin, body: JSON.stringify({ name: 'London' }) }));
  const db = new Client({ connectionString: database });
  await db.connect();
  try {
    // The company and its site reach scim-ingest through Kafka.
    for (let attempt = 0; ; attempt++) {
      const rows = await db.query(`SELECT 1 FROM scim.site_names WHERE tenant_id = $1`, [tenant.tenantId]);
      const response = rows.rowCount ? await fetch(`${scim}/api/v1/tenants/${tenant.tenantId}/provisioning/scim`, { method: 'PUT', headers: admin, body: JSON.stringify({ idp: 'azure-ad' }) }) : undefined;
      if (response?.ok) {
        const { token } = (await response.json()) as { token: string };
        return { tenantId: tenant.tenantId, adminToken: tenant.adminToken, token };
      }
      if (attempt > 400) throw new Error('the tenant did not reach scim-ingest');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  } finally {
    await db.end();
  }
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
