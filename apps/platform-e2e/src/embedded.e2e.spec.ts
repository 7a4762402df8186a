import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from '@identity/platform-service';
import { startServiceProcess, waitForHttp, type ServiceProcess } from '@identity/platform-testing';

const SERVICES = ['user-directory', 'scim-ingest', 'licensing', 'saml-auth', 'event-relay'];
const root = path.resolve(__dirname, '../../..');

describe('embedded mode (npm start): every service in one process on PGlite', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'identity-embedded-'));
  let port: number;
  let base: string;
  let stack: ServiceProcess;
  const env = () => ({ PATH: process.env.PATH, PORT: String(port), EMBEDDED_DATA_DIR: dataDir, HOST: '127.0.0.1' });

  beforeAll(async () => {
    port = await freePort();
    base = `http://127.0.0.1:${port}`;
    stack = startServiceProcess('dist/apps/embedded/src/main.js', env());
    await waitForHttp(`${base}/health/ready`, 200, 60_000, stack);
  });

  afterAll(async () => {
    await stack?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('reports every service ready on the aggregate endpoint and on each service’s own', async () => {
    const aggregate = (await (await fetch(`${base}/health/ready`)).json()) as { services: Record<string, unknown> };
    expect(Object.keys(aggregate.services).sort()).toEqual([...SERVICES].sort());
    for (const service of SERVICES) {
      const response = await fetch(`${base}/${service}/health/ready`);
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ status: 'ready', checks: { database: 'up', messaging: 'up' } });
      expect((await fetch(`${base}/${service}/health/live`)).status).toBe(200);
      const metrics = await (await fetch(`${base}/${service}/metrics`)).text();
      expect(metrics).toContain(`service="${service}"`);
    }
  });

  it('routes public prefixes to their services, with problem details for the rest', async () => {
    const unauthorised = await fetch(`${base}/api/v1/tenants`);
    expect(unauthorised.status).toBe(401);
    expect(unauthorised.headers.get('www-authenticate')).toContain('Bearer');
    expect(unauthorised.headers.get('content-type')).toContain('application/problem+json');
    const token = readFileSync(path.join(dataDir, 'platform-admin-token'), 'utf8').trim();
    const invalid = await fetch(`${base}/api/v1/tenants`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: '', extra: 1 }),
    });
    expect(invalid.status).toBe(400);
    expect(((await invalid.json()) as { detail: string }).detail).toMatch(/name/);
    const malformed = await fetch(`${base}/api/v1/tenants`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: '{"name": ',
    });
    expect(malformed.status).toBe(400);
    const openApi = (await (await fetch(`${base}/api/docs/openapi.json`)).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(openApi.paths)).toEqual(expect.arrayContaining(['/api/v1/tenants', '/api/v1/tenants/{tenantId}/users/{userId}']));
    const nowhere = await fetch(`${base}/nowhere`);
    expect(nowhere.status).toBe(404);
    expect(((await nowhere.json()) as { title: string }).title).toBe('Not Found');
  });

  it('serves the operators’ CLI with no extra flags, and keeps its data across a restart', async () => {
    const cli = (...args: string[]) =>
      spawnSync(process.execPath, [path.join(root, 'dist/tools/cli/main.js'), ...args], {
        cwd: root,
        encoding: 'utf8',
        env: { PATH: process.env.PATH, IDENTITY_URL: base, EMBEDDED_DATA_DIR: dataDir },
      });
    const created = cli('tenant', 'create', '--name', 'Contoso Ltd', '--json');
    expect(created.status).toBe(0);
    const tenant = JSON.parse(created.stdout);
    expect(tenant).toEqual({ tenantId: expect.any(String), name: 'Contoso Ltd', adminToken: expect.stringMatching(/^ipa_/), tokenId: expect.any(String) });

    // The tenant's own token reads its tenant, and gets 404 for another one.
    const own = await fetch(`${base}/api/v1/tenants/${tenant.tenantId}`, { headers: { authorization: `Bearer ${tenant.adminToken}` } });
    expect(own.status).toBe(200);
    const other = JSON.parse(cli('tenant', 'create', '--name', 'Fabrikam', '--json').stdout);
    const foreign = await fetch(`${base}/api/v1/tenants/${other.tenantId}`, { headers: { authorization: `Bearer ${tenant.adminToken}` } });
    expect(foreign.status).toBe(404);

    // An admin sets up provisioning from the CLI, and the IdP's Test Connection succeeds.
    expect(JSON.parse(cli('site', 'create', '--tenant', tenant.tenantId, '--name', 'London', '--json').stdout)).toMatchObject({ name: 'London' });
    const scim = JSON.parse(cli('scim', 'enable', '--tenant', tenant.tenantId, '--idp', 'azure-ad', '--json').stdout);
    expect(scim).toEqual({ scimUrl: `http://localhost:${port}/scim/v2/${tenant.tenantId}`, token: expect.stringMatching(/^ips_/), idp: 'azure-ad' });
    const probe = await fetch(`${base}/scim/v2/${tenant.tenantId}/Users?filter=${encodeURIComponent('userName eq "0f8b1c52"')}`, {
      headers: { authorization: `Bearer ${scim.token}` },
    });
    expect(probe.status).toBe(200);
    expect(((await probe.json()) as { totalResults: number }).totalResults).toBe(0);

    const failed = cli('tenant', 'create', '--json');
    expect(failed.status).not.toBe(0);
    expect(JSON.parse(failed.stdout).error).toContain('--name is required');

    // A rebuild from the event store gives the same tenants.
    const rebuilt = cli('projections', 'rebuild', 'directory', '--json');
    expect(rebuilt.status).toBe(0);
    expect(JSON.parse(rebuilt.stdout)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ projection: 'directory.tenant-access', eventsApplied: 4 }),
        expect.objectContaining({ projection: 'directory.sites', eventsApplied: 1 }),
        expect.objectContaining({ projection: 'directory.users', eventsApplied: 0 }),
      ]),
    );
    const own2 = await fetch(`${base}/api/v1/tenants/${tenant.tenantId}`, { headers: { authorization: `Bearer ${tenant.adminToken}` } });
    expect(own2.status).toBe(200);

    await stack.stop();
    stack = startServiceProcess('dist/apps/embedded/src/main.js', env());
    await waitForHttp(`${base}/health/ready`, 200, 60_000, stack);
    const listed = JSON.parse(cli('tenant', 'list', '--json').stdout);
    expect(listed.items.map((item: { name: string }) => item.name)).toEqual(['Contoso Ltd', 'Fabrikam']);
  });
});
