import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { eventually, postgresAdminUrl } from '@identity/platform-testing';
import { azure } from '../support/azure-ad.requests';
import { IdentityStack, scimClient, type ScimTenant } from '../support/identity-stack';

const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';

describe('SCIM limits: body size, request rate, database outage', () => {
  const stack = new IdentityStack();
  let tenant: ScimTenant;
  let scim: ReturnType<typeof scimClient>;

  beforeAll(async () => {
    await stack.start({ HTTP_BODY_LIMIT: '64kb', SCIM_RATE_LIMIT_PER_SECOND: '20' });
    tenant = await stack.tenant();
    scim = scimClient(tenant);
  });

  afterAll(() => stack.stop());

  const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  it('answers 413 in the SCIM format for a body over the limit, and stores nothing', async () => {
    const body = { ...azure.createUser(`big.${randomUUID()}@contoso.com`), title: 'x'.repeat(100_000) };
    const response = await scim<Record<string, unknown>>('POST', '/Users', body);
    expect(response.status).toBe(413);
    expect(response.body).toMatchObject({ schemas: [ERROR], status: '413' });
  });

  it('answers malformed JSON with invalidSyntax in the SCIM format', async () => {
    const response = await scim<Record<string, unknown>>('POST', '/Users', '{"userName": "a",');
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ schemas: [ERROR], scimType: 'invalidSyntax' });
  });

  it('answers 429 with Retry-After above the tenant’s rate, and serves again after it', async () => {
    await pause(2_100); // a full bucket
    const responses = await Promise.all(Array.from({ length: 80 }, () => scim('GET', '/Users?count=1')));
    const limited = responses.filter((response) => response.status === 429);
    expect(responses.filter((response) => response.status === 200).length).toBeGreaterThanOrEqual(40);
    expect(limited.length).toBeGreaterThan(0);
    const retryAfter = Number(limited[0].headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(limited[0].body).toMatchObject({ schemas: [ERROR], status: '429' });
    await pause(retryAfter * 1000 + 100);
    expect((await scim('GET', '/Users?count=1')).status).toBe(200);
    // The admin sees the throttling in the provisioning log, as the IdP's own log would show it.
    await eventually(async () => {
      const log = await stack.admin<{ items: { status: number; operation: string }[] }>(
        stack.scimBase,
        'GET',
        `/api/v1/tenants/${tenant.tenantId}/provisioning/logs?outcome=failure&limit=100`,
        tenant.adminToken,
      );
      expect(log.body.items.filter((item) => item.status === 429)).toHaveLength(limited.length);
      expect(log.body.items.find((item) => item.status === 429)?.operation).toBe('Query users');
    });
  });

  it('answers 503 with Retry-After while the database refuses connections, then recovers', async () => {
    await pause(2_100);
    const database = new URL(stack.databaseUrl).pathname.slice(1);
    const admin = new Client({ connectionString: postgresAdminUrl() });
    await admin.connect();
    try {
      await admin.query(`ALTER DATABASE "${database}" ALLOW_CONNECTIONS false`);
      await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`, [database]);
      const statuses: number[] = [];
      for (let attempt = 0; attempt < 3; attempt++) {
        const response = await scim<Record<string, unknown>>('POST', '/Users', azure.createUser(`outage.${randomUUID()}@contoso.com`));
        statuses.push(response.status);
        expect(response.status).toBe(503);
        expect(response.headers.get('retry-after')).toBe('5');
        expect(response.body).toMatchObject({ schemas: [ERROR], status: '503' });
      }
      expect(statuses).toEqual([503, 503, 503]);
    } finally {
      await admin.query(`ALTER DATABASE "${database}" ALLOW_CONNECTIONS true`);
      await admin.end();
    }
    const retried = await scim('POST', '/Users', azure.createUser(`after.${randomUUID()}@contoso.com`));
    expect(retried.status).toBe(201);
  });
});
