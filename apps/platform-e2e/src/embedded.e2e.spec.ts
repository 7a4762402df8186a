import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from '@identity/platform-service';
import { azureResponseXml, certificateUploadSamples, createIdpKeys, eventually, postBinding, startServiceProcess, waitForHttp, type ServiceProcess } from '@identity/platform-testing';

const SERVICES = ['user-directory', 'scim-ingest', 'licensing', 'saml-auth', 'admin-console', 'event-relay'];
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
      // The service that runs the relay also says whether it publishes.
      expect(await response.json()).toEqual({ status: 'ready', checks: { database: 'up', messaging: 'up', ...(service === 'event-relay' ? { relay: 'up' } : {}) } });
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
    const home = await fetch(`${base}/`, { redirect: 'manual' });
    expect({ status: home.status, location: home.headers.get('location') }).toEqual({ status: 302, location: '/console' });
    const nowhere = await fetch(`${base}/nowhere`);
    expect(nowhere.status).toBe(404);
    expect(((await nowhere.json()) as { title: string }).title).toBe('Not Found');
  });

  const cli = (...args: string[]) =>
    spawnSync(process.execPath, [path.join(root, 'dist/tools/cli/main.js'), ...args], {
      cwd: root,
      encoding: 'utf8',
      env: { PATH: process.env.PATH, IDENTITY_URL: base, EMBEDDED_DATA_DIR: dataDir },
    });

  it('lets an admin configure SSO from the CLI, refusing the DER download, and an employee then signs in', async () => {
    const tenant = JSON.parse(cli('tenant', 'create', '--name', 'Northwind', '--json').stdout);
    const keys = createIdpKeys();
    const files = mkdtempSync(path.join(tmpdir(), 'identity-sso-cli-'));
    const samples = certificateUploadSamples(keys);
    const { writeFileSync } = await import('node:fs');
    writeFileSync(path.join(files, 'cert-base64.cer'), samples.pem);
    writeFileSync(path.join(files, 'cert-raw.cer'), samples.der);
    const azureTenant = '0e8f1b8a-1d2c-4e5f-8a9b-0c1d2e3f4a5b';
    const issuer = `https://sts.windows.net/${azureTenant}/`;
    const configure = (certificate: string) =>
      cli('sso', 'configure', '--tenant', tenant.tenantId, '--idp', 'azure-ad', '--sign-in-url', `https://login.microsoftonline.com/${azureTenant}/saml2`,
        '--issuer', issuer, '--sign-out-url', 'https://login.microsoftonline.com/common/wsfederation?wa=wsignout1.0', '--certificate', path.join(files, certificate), '--json');

    // An argument missing: nothing is sent, not even the certificate.
    const incomplete = cli('sso', 'configure', '--tenant', tenant.tenantId, '--idp', 'azure-ad', '--issuer', issuer, '--certificate', path.join(files, 'cert-base64.cer'));
    expect(incomplete.status).toBe(1);
    expect(incomplete.stderr).toContain('--sign-in-url is required');
    expect(JSON.parse(cli('sso', 'status', '--tenant', tenant.tenantId, '--json').stdout).certificates).toEqual([]);

    // Settings the server refuses (an http sign-in URL): the certificate sent with them is not trusted either.
    const http = cli('sso', 'configure', '--tenant', tenant.tenantId, '--idp', 'azure-ad', '--sign-in-url', `http://login.microsoftonline.com/${azureTenant}/saml2`,
      '--issuer', issuer, '--certificate', path.join(files, 'cert-base64.cer'), '--json');
    expect(http.status).toBe(1);
    expect(JSON.parse(cli('sso', 'status', '--tenant', tenant.tenantId, '--json').stdout).certificates).toEqual([]);

    const refused = configure('cert-raw.cer');
    expect(refused.status).not.toBe(0);
    expect(JSON.parse(refused.stdout).error).toContain('Certificate (Raw)');
    const configured = configure('cert-base64.cer');
    expect(configured.status).toBe(0);
    expect(JSON.parse(configured.stdout)).toMatchObject({
      enabled: true,
      issuer,
      certificates: [expect.objectContaining({ thumbprint: keys.thumbprint })],
      serviceProvider: { entityId: `http://localhost:${port}/saml2`, replyUrl: `http://localhost:${port}/saml2` },
    });
    rmSync(files, { recursive: true, force: true });
    // Run again without the sign-out URL and admin role (to change the issuer, say): both stay; an empty value clears one.
    const again = (...extra: string[]) =>
      JSON.parse(cli('sso', 'configure', '--tenant', tenant.tenantId, '--idp', 'azure-ad', '--sign-in-url', `https://login.microsoftonline.com/${azureTenant}/saml2`, '--issuer', issuer, ...extra, '--json').stdout);
    expect(again('--admin-role', 'Console.Admin')).toMatchObject({ adminRole: 'Console.Admin', signOutUrl: 'https://login.microsoftonline.com/common/wsfederation?wa=wsignout1.0' });
    expect(again()).toMatchObject({ adminRole: 'Console.Admin', signOutUrl: 'https://login.microsoftonline.com/common/wsfederation?wa=wsignout1.0', certificates: [expect.objectContaining({ thumbprint: keys.thumbprint })] });
    expect(again('--admin-role', '', '--sign-out-url', '')).toMatchObject({ adminRole: null, signOutUrl: null });

    const scim = JSON.parse(cli('scim', 'enable', '--tenant', tenant.tenantId, '--idp', 'azure-ad', '--json').stdout);
    const userName = 'megan.bowen@northwind.example';
    const created = await fetch(`${base}/scim/v2/${tenant.tenantId}/Users`, {
      method: 'POST',
      headers: { authorization: `Bearer ${scim.token}`, 'content-type': 'application/scim+json' },
      body: JSON.stringify({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName, active: true }),
    });
    expect(created.status).toBe(201);
    const acs = `http://localhost:${port}/saml2`;
    await eventually(async () => {
      const xml = azureResponseXml({ keys, issuer, nameId: userName, audience: acs, recipient: acs });
      const signedIn = await fetch(`${base}/saml2`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ SAMLResponse: postBinding(xml) }).toString(),
        redirect: 'manual',
      });
      expect(signedIn.status).toBe(303);
      expect(signedIn.headers.get('set-cookie')).toContain('sso_session=');
    });
  });

  it('serves the operators’ CLI with no extra flags, and keeps its data across a restart', async () => {
    // As the issues name them: `tenant create` and `scim enable` print JSON without --json too.
    const created = cli('tenant', 'create', '--name', 'Contoso Ltd');
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
    const scim = JSON.parse(cli('scim', 'enable', '--tenant', tenant.tenantId, '--idp', 'azure-ad').stdout);
    expect(scim).toEqual({ scimUrl: `http://localhost:${port}/scim/v2/${tenant.tenantId}`, token: expect.stringMatching(/^ips_/), idp: 'azure-ad' });
    const probe = await fetch(`${base}/scim/v2/${tenant.tenantId}/Users?filter=${encodeURIComponent('userName eq "0f8b1c52"')}`, {
      headers: { authorization: `Bearer ${scim.token}` },
    });
    expect(probe.status).toBe(200);
    expect(((await probe.json()) as { totalResults: number }).totalResults).toBe(0);

    const failed = cli('tenant', 'create', '--json');
    expect(failed.status).not.toBe(0);
    expect(JSON.parse(failed.stdout).error).toContain('--name is required');
    expect(cli('--help').status).toBe(0);
    // A switch given a value it does not take is refused, never read as off (which would run the real import).
    const switched = cli('license', 'import', '--tenant', tenant.tenantId, 'licenses.csv', '--dry-run', 'yes');
    expect(switched.status).toBe(1);
    expect(switched.stderr).toContain('--dry-run is a switch');
    // --json too, which is read before the command runs: the same message, not a stack trace.
    const jsonSwitched = cli('license', 'import', '--tenant', tenant.tenantId, '--json', 'licenses.csv');
    expect({ status: jsonSwitched.status, stderr: jsonSwitched.stderr.trim() }).toEqual({ status: 1, stderr: 'error: --json is a switch: give it alone (or as --json=true / --json=false), not "licenses.csv"' });
    // An import that ran with a failed row prints every row's result and exits 1, for the script that ran it.
    const csvDirectory = mkdtempSync(path.join(tmpdir(), 'license-import-'));
    writeFileSync(path.join(csvDirectory, 'licenses.csv'), 'username,plan\nnobody@contoso.com,X2\n');
    const imported = cli('license', 'import', '--tenant', tenant.tenantId, path.join(csvDirectory, 'licenses.csv'), '--dry-run', '--json');
    rmSync(csvDirectory, { recursive: true, force: true });
    expect({ status: imported.status, job: JSON.parse(imported.stdout) }).toMatchObject({
      status: 1,
      job: { status: 'finished', summary: { errors: 1 }, results: [{ line: 2, outcome: 'error' }] },
    });
    for (const args of [
      ['user', 'create', '--tenant', tenant.tenantId, '--user-name', 'flag.check@contoso.com', '--visible', 'yes'],
      ['telephony', 'plan', '--tenant', tenant.tenantId, '--auto-extension', 'no'],
    ]) {
      const refused = cli(...args);
      expect({ args, status: refused.status, refusal: refused.stderr.includes('is a switch') }).toEqual({ args, status: 1, refusal: true });
    }
    // A mistyped overlap is refused before anything is sent, not taken as "cut the old token off now".
    const overlap = cli('scim', 'rotate', '--tenant', tenant.tenantId, '--overlap-seconds', '1d');
    expect({ status: overlap.status, stderr: overlap.stderr }).toEqual({ status: 1, stderr: expect.stringContaining('--overlap-seconds is a whole number') });
    expect(JSON.parse(cli('scim', 'status', '--tenant', tenant.tenantId, '--json').stdout).tokens).toHaveLength(1);

    // A rebuild from the event store gives the same tenants.
    const rebuilt = cli('projections', 'rebuild', 'directory', '--json');
    expect(rebuilt.status).toBe(0);
    expect(JSON.parse(rebuilt.stdout)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ projection: 'directory.tenant-access', eventsApplied: 6 }),
        expect.objectContaining({ projection: 'directory.sites', eventsApplied: 1 }),
        expect.objectContaining({ projection: 'directory.users', eventsApplied: 1 }),
      ]),
    );
    const own2 = await fetch(`${base}/api/v1/tenants/${tenant.tenantId}`, { headers: { authorization: `Bearer ${tenant.adminToken}` } });
    expect(own2.status).toBe(200);

    await stack.stop();
    stack = startServiceProcess('dist/apps/embedded/src/main.js', env());
    await waitForHttp(`${base}/health/ready`, 200, 60_000, stack);
    const listed = JSON.parse(cli('tenant', 'list', '--json').stdout);
    expect(listed.items.map((item: { name: string }) => item.name)).toEqual(['Contoso Ltd', 'Fabrikam', 'Northwind']);
  });

  /** A new company whose IdP creates 150 users at once; answers once every create got its 201. */
  async function burstOfCreates(company: string): Promise<{ tenantId: string; adminToken: string }> {
    const tenant = JSON.parse(cli('tenant', 'create', '--name', company, '--json').stdout);
    const scim = JSON.parse(cli('scim', 'enable', '--tenant', tenant.tenantId, '--idp', 'azure-ad', '--json').stdout);
    const created = await Promise.all(
      Array.from({ length: 150 }, (_, index) =>
        fetch(`${base}/scim/v2/${tenant.tenantId}/Users`, {
          method: 'POST',
          headers: { authorization: `Bearer ${scim.token}`, 'content-type': 'application/scim+json' },
          body: JSON.stringify({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: `burst${index}@${company.toLowerCase()}.example`, active: true }),
        }),
      ),
    );
    expect(created.map((response) => response.status)).toEqual(created.map(() => 201));
    return tenant;
  }

  /** How many of the company's users the directory and licensing read models hold. */
  async function readModelTotals(tenant: { tenantId: string; adminToken: string }) {
    const total = async (path: string) =>
      ((await (await fetch(`${base}/api/v1/tenants/${tenant.tenantId}${path}?limit=500`, { headers: { authorization: `Bearer ${tenant.adminToken}` } })).json()) as { total: number }).total;
    return { directory: await total('/users'), licensing: await total('/licenses/users') };
  }

  async function restart(): Promise<void> {
    stack = startServiceProcess('dist/apps/embedded/src/main.js', env());
    await waitForHttp(`${base}/health/ready`, 200, 60_000, stack);
  }

  it('loses nothing it acknowledged when stopped in the middle of a burst: the read models hold every user after a restart', async () => {
    const tenant = await burstOfCreates('Tailspin');
    // Stopped (SIGTERM, as Ctrl-C or a container stop does) while the events are still on their way to the read models.
    await stack.stop();
    await restart();
    expect(await readModelTotals(tenant)).toEqual({ directory: 150, licensing: 150 });
  });

  it('loses nothing either when killed (kill -9) in the middle of a burst: what no consumer had handled is published again at the next start', async () => {
    const tenant = await burstOfCreates('Woodgrove');
    // No shutdown hook runs: the in-process bus loses what it held.
    await stack.kill();
    await restart();
    await eventually(async () => expect(await readModelTotals(tenant)).toEqual({ directory: 150, licensing: 150 }));
  });
});
