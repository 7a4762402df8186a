import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { freePort } from '@identity/platform-service';
import { azureDefaultClaims, azureResponseXml, certificateUploadSamples, createIdpKeys, postBinding, startServiceProcess, waitForHttp, type ServiceProcess } from '@identity/platform-testing';

/**
 * The admin console in Debian's Chromium against the embedded stack (`npm start`), as an admin
 * uses it: every flow goes through the pages, and only the IdP's own SCIM calls are made directly.
 * Screenshots of each page go to test-artifacts/console/.
 */
const root = path.resolve(__dirname, '../../..');
const artifacts = path.join(root, 'test-artifacts/console');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const azureTenant = '0e8f1b8a-1d2c-4e5f-8a9b-0c1d2e3f4a5b';
const issuer = `https://sts.windows.net/${azureTenant}/`;
const signInUrl = `https://login.microsoftonline.com/${azureTenant}/saml2`;
const userName = 'adele.vance@contoso.example';

jest.setTimeout(180_000);

describe('admin console in headless Chromium', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'identity-console-'));
  let base: string;
  let stack: ServiceProcess;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let platformToken: string;
  let tenant: { tenantId: string; adminToken: string };
  let scimToken: string;
  const keys = createIdpKeys({ commonName: 'Microsoft Azure Federated SSO Certificate' });
  const cspViolations: string[] = [];
  const foreignRequests: string[] = [];

  const shot = (name: string) => page.screenshot({ path: path.join(artifacts, `${name}.png`), fullPage: true });
  const go = async (route: string, heading: string) => {
    await page.getByRole('link', { name: route, exact: true }).click();
    await expectVisible(page.getByRole('heading', { level: 1, name: heading }));
  };

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install chromium (.ci/run does)`);
    mkdirSync(artifacts, { recursive: true });
    const port = await freePort();
    // localhost, not 127.0.0.1: the page must share the origin of PUBLIC_BASE_URL, and the clipboard needs a secure context.
    base = `http://localhost:${port}`;
    // Access tokens of 30 s: the console renews an SSO admin's after 5 s, which the idle test below waits out.
    stack = startServiceProcess('dist/apps/embedded/src/main.js', {
      PATH: process.env.PATH,
      PORT: String(port),
      EMBEDDED_DATA_DIR: dataDir,
      HOST: '127.0.0.1',
      SSO_ACCESS_TOKEN_TTL_SECONDS: '30',
    });
    await waitForHttp(`http://127.0.0.1:${port}/health/ready`, 200, 90_000, stack);
    platformToken = readFileSync(path.join(dataDir, 'platform-admin-token'), 'utf8').trim();
    // Companies are created by the operators (CLI or API); the console manages one.
    const created = await fetch(`${base}/api/v1/tenants`, {
      method: 'POST',
      headers: { authorization: `Bearer ${platformToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Contoso' }),
    });
    expect(created.status).toBe(201);
    tenant = (await created.json()) as { tenantId: string; adminToken: string };

    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    context = await browser.newContext({ viewport: { width: 1280, height: 900 }, permissions: ['clipboard-read', 'clipboard-write'] });
    // The one address outside the platform: Azure AD, where the SSO sign-in page sends employees.
    await context.route('https://login.microsoftonline.com/**', (route) => route.fulfill({ status: 200, contentType: 'text/html', body: '<h1>Azure AD (test)</h1>' }));
    context.on('request', (request) => {
      if (!request.url().startsWith(base) && !request.url().startsWith('https://login.microsoftonline.com/') && !request.url().startsWith('data:')) foreignRequests.push(request.url());
    });
    page = await context.newPage();
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) cspViolations.push(message.text());
    });
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('serves the console with a strict CSP, and signs in with a platform or a company token only', async () => {
    const response = await page.goto(`${base}/console`);
    const csp = response!.headers()['content-security-policy'];
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(response!.headers()['x-content-type-options']).toBe('nosniff');
    await expectVisible(page.getByRole('heading', { name: 'Sign in to the admin console' }));
    await shot('01-sign-in');

    await page.getByLabel('Admin token').fill('ipa_not-a-real-token-at-all');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expectVisible(page.getByRole('alert').filter({ hasText: 'this token is not valid' }));

    // A company admin's token needs its company's ID, and then opens that company.
    await page.getByLabel('Admin token').fill(tenant.adminToken);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expectVisible(page.getByRole('alert').filter({ hasText: 'needs the company ID' }));
    await page.getByLabel('Company ID').fill(tenant.tenantId);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expectVisible(page.getByRole('heading', { level: 1, name: 'Identity and Security' }));
    await expectVisible(page.getByText('Company Contoso', { exact: true }));
    // The token lives in this tab's sessionStorage, never in a cookie.
    expect(await context.cookies()).toEqual([]);
    await page.getByRole('button', { name: 'Sign out' }).click();

    await page.getByLabel('Admin token').fill(platformToken);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expectVisible(page.getByRole('heading', { level: 1, name: 'Identity and Security' }));
    await expectVisible(page.getByRole('combobox', { name: 'Company' }));
  });

  it('switches company only when asked, and sends an admin whose token is revoked back to sign-in', async () => {
    const platform = (method: string, path: string, body?: unknown) =>
      fetch(`${base}${path}`, { method, headers: { authorization: `Bearer ${platformToken}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    const fabrikam = (await (await platform('POST', '/api/v1/tenants', { name: 'Fabrikam' })).json()) as { tenantId: string };
    const signedInTo = async () => JSON.parse((await page.evaluate(() => Object.values(sessionStorage)[0])) as string).tenantId as string;
    await page.reload();
    // Arrowing through the list changes the choice, not the company.
    await page.getByRole('combobox', { name: 'Company' }).selectOption({ label: 'Fabrikam' });
    expect(await signedInTo()).toBe(tenant.tenantId);
    await page.getByRole('button', { name: 'Switch company' }).click();
    await eventually(async () => expect(await signedInTo()).toBe(fabrikam.tenantId));
    await page.getByRole('combobox', { name: 'Company' }).selectOption({ label: 'Contoso' });
    await page.getByRole('button', { name: 'Switch company' }).click();
    await eventually(async () => expect(await signedInTo()).toBe(tenant.tenantId));

    // A company admin whose token is revoked while signed in is sent back to sign-in, and told why.
    const issued = (await (await platform('POST', `/api/v1/tenants/${tenant.tenantId}/admin-tokens`, { label: 'revoked in the test' })).json()) as { tokenId: string; token: string };
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Admin token').fill(issued.token);
    await page.getByLabel('Company ID').fill(tenant.tenantId);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expectVisible(page.getByRole('heading', { level: 1, name: 'Identity and Security' }));
    // Revoked once the page has loaded what it shows; the next request with it (the page's own, after a reload) is refused.
    await page.waitForLoadState('networkidle');
    expect((await platform('DELETE', `/api/v1/tenants/${tenant.tenantId}/admin-tokens/${issued.tokenId}`)).status).toBe(204);
    await page.reload();
    await expectVisible(page.getByRole('heading', { name: 'Sign in to the admin console' }));
    await expectVisible(page.getByRole('alert').filter({ hasText: 'no longer accepted' }));

    await page.getByLabel('Admin token').fill(platformToken);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expectVisible(page.getByRole('heading', { level: 1, name: 'Identity and Security' }));
    expect(await signedInTo()).toBe(tenant.tenantId);
  });

  it('configures SSO: refuses the DER download with its message, takes the PEM one and warns of an expiring certificate', async () => {
    const sso = page.getByRole('region', { name: 'Single sign-on (SAML)' });
    await expectVisible(sso.getByText('Single sign-on is off'));
    const samples = certificateUploadSamples(keys);
    // Typed first, as the Azure portal shows the URLs before the certificate: a refused upload keeps what was typed.
    await sso.getByLabel('Sign-in URL').fill(signInUrl);
    await sso.getByLabel('Upload a signing certificate').setInputFiles({ name: 'MyApp-raw.cer', mimeType: 'application/x-x509-ca-cert', buffer: samples.der });
    const refusal = sso.getByRole('alert');
    await expectVisible(refusal);
    expect(await sso.getByLabel('Sign-in URL').inputValue()).toBe(signInUrl);
    expect(await refusal.textContent()).toContain('MyApp-raw.cer was not accepted: This is the binary "Certificate (Raw)" download (DER).');
    expect(await refusal.textContent()).toContain('download "Certificate (Base64)"');
    await shot('02-sso-der-refused');

    await sso.getByLabel('Upload a signing certificate').setInputFiles({ name: 'MyApp.cer', mimeType: 'application/x-x509-ca-cert', buffer: Buffer.from(samples.pem) });
    await expectVisible(sso.getByRole('status').filter({ hasText: 'Certificate MyApp.cer added.' }));
    const certificates = sso.getByRole('table', { name: 'Signing certificates' });
    await expectVisible(certificates.getByText('Microsoft Azure Federated SSO Certificate'));
    await expect(sso.getByRole('alert').count()).resolves.toBe(0);

    // A second certificate that expires within 30 days: the rollover warning appears.
    const expiring = createIdpKeys({ commonName: 'Expiring Certificate', days: 10 });
    await sso.getByLabel('Upload a signing certificate').setInputFiles({ name: 'old.cer', mimeType: 'application/x-x509-ca-cert', buffer: Buffer.from(certificateUploadSamples(expiring).pem) });
    await expectVisible(certificates.getByText('Expiring Certificate'));
    await expectVisible(sso.getByRole('list', { name: 'Warnings' }).getByText(/expires in \d+ days/));

    await sso.getByLabel('Employees sign in with the company’s identity provider').check();
    await sso.getByLabel('Identity provider', { exact: true }).selectOption('azure-ad');
    await sso.getByLabel('Sign-in URL').fill(signInUrl);
    await sso.getByLabel('Issuer').fill(issuer);
    await sso.getByLabel('Sign-out URL (optional)').fill('https://login.microsoftonline.com/common/wsfederation?wa=wsignout1.0');
    await sso.getByRole('button', { name: 'Save single sign-on' }).click();
    await expectVisible(sso.getByText('Single sign-on is on'));

    // What the admin pastes into Azure AD, through the copy buttons.
    await sso.getByRole('button', { name: 'Copy Identifier (Entity ID)' }).click();
    expect(await clipboard()).toBe(`${base}/saml2`);
    await sso.getByRole('button', { name: 'Copy Reply URL (Assertion Consumer Service URL)' }).click();
    expect(await clipboard()).toBe(`${base}/saml2`);
    await shot('03-sso-configured');
  });

  it('enables provisioning, shows the token once, and the copied token provisions a user who appears in the list', async () => {
    const panel = page.getByRole('region', { name: 'User provisioning (SCIM)' });
    await panel.getByLabel('Identity provider', { exact: true }).selectOption('azure-ad');
    await panel.getByRole('button', { name: 'Enable provisioning' }).click();
    await expectVisible(panel.getByText('Provisioning is on (Azure AD)'));
    const shown = await panel.getByRole('textbox', { name: 'Secret token' }).inputValue();
    expect(shown).toMatch(/^ips_/);
    await panel.getByRole('button', { name: 'Copy Secret token' }).click();
    scimToken = await clipboard();
    expect(scimToken).toBe(shown);
    await panel.getByRole('button', { name: 'Copy Tenant URL' }).click();
    const scimUrl = await clipboard();
    expect(scimUrl).toBe(`${base}/scim/v2/${tenant.tenantId}`);
    await shot('04-provisioning-token-once');

    // Shown once: after a reload nobody can read it again.
    await page.reload();
    await expectVisible(panel.getByText('Provisioning is on (Azure AD)'));
    await expect(panel.getByRole('textbox', { name: 'Secret token' }).count()).resolves.toBe(0);
    await panel.getByRole('button', { name: 'Rotate token' }).click();
    const rotated = await panel.getByRole('textbox', { name: 'Secret token' }).inputValue();
    expect(rotated).toMatch(/^ips_/);
    expect(rotated).not.toBe(scimToken);
    await expectVisible(panel.getByText('2 active tokens', { exact: false }));
    await panel.getByLabel('User retrieval').selectOption('idp-only');
    await panel.getByRole('button', { name: 'Save user retrieval' }).click();
    await expectVisible(panel.getByText('User retrieval setting saved.'));

    // The IdP (Azure AD) provisions a user with the token the admin copied; a second create fails and is logged.
    const scimUser = { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName, active: true, name: { givenName: 'Adele', familyName: 'Vance' } };
    const scimPost = () =>
      fetch(`${scimUrl}/Users`, { method: 'POST', headers: { authorization: `Bearer ${scimToken}`, 'content-type': 'application/scim+json' }, body: JSON.stringify(scimUser) });
    expect((await scimPost()).status).toBe(201);
    expect((await scimPost()).status).toBe(409);

    await go('Users', 'Users');
    await page.getByLabel('Search', { exact: true }).fill('adele');
    await eventually(async () => {
      await page.getByRole('button', { name: 'Search' }).click();
      await expectVisible(page.getByRole('link', { name: userName }), 1_000);
    });
    await expectVisible(page.getByText('Users 1–1 of 1'));
    await page.getByLabel('Search', { exact: true }).fill('nobody-like-this');
    await page.getByRole('button', { name: 'Search' }).click();
    await expectVisible(page.getByText('No users match.'));
    await page.getByLabel('Search', { exact: true }).fill('');
    await page.getByLabel('Managed by').selectOption('idp');
    await page.getByRole('button', { name: 'Search' }).click();
    await expectVisible(page.getByRole('link', { name: userName }));
    await shot('05-users');
  });

  it('creates a site, gives the user that site and a license, and shows seats used on the chart', async () => {
    await go('Sites', 'Sites');
    await page.getByLabel('New site name').fill('London');
    await page.getByRole('button', { name: 'Create site' }).click();
    await expectVisible(page.getByRole('cell', { name: 'London' }));
    await shot('06-sites');

    await go('Licenses', 'Licenses');
    await page.getByLabel('Plan', { exact: true }).fill('X2');
    await page.getByLabel('Seats', { exact: true }).fill('3');
    await page.getByRole('button', { name: 'Set seats' }).click();
    await expectVisible(page.getByRole('row', { name: 'X2 3 0 3' }));
    // The company's extension plan; no numbers yet (operators import them).
    const telephony = page.getByRole('region', { name: 'Extensions and direct numbers' });
    await expectVisible(telephony.getByText('Direct numbers: 0 in the pool'));
    // Digits without a range are not saved as the one extension 0000.
    await telephony.getByLabel('Digits').fill('4');
    await telephony.getByRole('button', { name: 'Save telephony settings' }).click();
    await expectVisible(telephony.getByRole('alert').filter({ hasText: 'needs its range' }));
    await telephony.getByLabel('Digits').fill('4');
    await telephony.getByLabel('From').fill('2000');
    await telephony.getByLabel('To').fill('2099');
    await telephony.getByRole('button', { name: 'Save telephony settings' }).click();
    await expectVisible(telephony.getByRole('status').filter({ hasText: 'Telephony settings saved.' }));
    expect(await telephony.getByLabel('Digits').inputValue()).toBe('4');

    await go('Users', 'Users');
    await page.getByRole('link', { name: userName }).click();
    await expectVisible(page.getByRole('heading', { level: 1, name: userName }));
    await expectVisible(page.getByText('Identity provider (azure-ad)'));
    const locked = page.getByRole('list', { name: 'Fields only the identity provider can change' });
    for (const field of ['Username', 'First name', 'Last name', 'Email']) await expectVisible(locked.getByText(field, { exact: true }));
    const history = page.getByRole('table', { name: 'Provisioning history of this user' });
    await expectVisible(history.getByRole('cell', { name: 'Create user' }).first());
    await expectVisible(history.getByText('Failed (409)'));

    // No site is preselected: it cannot change once set.
    expect(await page.getByLabel('Site', { exact: true }).inputValue()).toBe('');
    await page.getByLabel('Site', { exact: true }).selectOption({ label: 'London' });
    let siteQuestion = '';
    page.once('dialog', (dialog) => {
      siteQuestion = dialog.message();
      void dialog.accept();
    });
    await page.getByRole('button', { name: 'Set site' }).click();
    await expectVisible(page.getByRole('status').filter({ hasText: 'Site saved.' }));
    expect(siteQuestion).toBe("Give this user the site London? A user's site cannot be changed afterwards.");
    // Licensing learns the site from the directory's events: the first attempt may come before them.
    await eventually(async () => {
      await page.getByLabel('License plan').selectOption('X2');
      await page.getByRole('button', { name: 'Assign license' }).click();
      await expectVisible(page.getByRole('status').filter({ hasText: 'License X2 assigned.' }), 1_500);
    });
    // At once, though the directory learns of it a moment later.
    await expectVisible(page.locator('dd', { hasText: /^X2$/ }));
    // Removing asks first; taking it back and assigning again works at once.
    let question = '';
    page.once('dialog', (dialog) => {
      question = dialog.message();
      void dialog.dismiss();
    });
    await page.getByRole('button', { name: 'Remove license' }).click();
    expect(question).toContain('extension and direct number are released');
    await expectVisible(page.locator('dd', { hasText: /^X2$/ }));
    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Remove license' }).click();
    await expectVisible(page.getByRole('status').filter({ hasText: 'License removed.' }));
    expect(await page.locator('dt:text-is("License") + dd').textContent()).toBe('None');
    await page.getByLabel('License plan').selectOption('X2');
    await page.getByRole('button', { name: 'Assign license' }).click();
    await expectVisible(page.getByRole('status').filter({ hasText: 'License X2 assigned.' }));
    await eventually(async () => {
      await page.reload();
      await expectVisible(page.locator('dd', { hasText: /^X2$/ }), 1_000);
    });
    // Another plan is a swap, which the console asks about first; taken back, nothing changes.
    const seats = await fetch(`${base}/api/v1/tenants/${tenant.tenantId}/licenses/plans/X4`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${platformToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ seats: 1 }),
    });
    expect(seats.status).toBe(200);
    await page.reload();
    await page.getByLabel('License plan').selectOption('X4');
    let swapQuestion = '';
    page.once('dialog', (dialog) => {
      swapQuestion = dialog.message();
      void dialog.dismiss();
    });
    await page.getByRole('button', { name: 'Assign license' }).click();
    expect(swapQuestion).toBe("Swap this user's X2 license for X4? The X2 seat is freed.");
    await expectVisible(page.locator('dd', { hasText: /^X2$/ }));
    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Assign license' }).click();
    await expectVisible(page.getByRole('status').filter({ hasText: 'License X4 assigned.' }));
    await page.getByLabel('License plan').selectOption('X2');
    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Assign license' }).click();
    await expectVisible(page.getByRole('status').filter({ hasText: 'License X2 assigned.' }));
    // The directory learns of the swaps from licensing's events, a moment later.
    await eventually(async () => {
      await page.reload();
      await expectVisible(page.locator('dd', { hasText: /^X2$/ }), 1_000);
    });
    // A link that does not decode finds nothing instead of blanking the console.
    const here = page.url();
    await page.goto(`${base}/console#/user/%E0`);
    await expectVisible(page.getByRole('link', { name: '← Users' }));
    await page.goto(here);
    await expectVisible(page.getByRole('heading', { level: 1, name: userName }));
    // The user's extension and direct number, set here and nowhere else (the IdP cannot read them back).
    const phone = page.getByRole('region', { name: 'Extension and direct number' });
    await phone.getByLabel('Extension', { exact: true }).fill('2001');
    await phone.getByRole('button', { name: 'Assign extension' }).click();
    await expectVisible(phone.getByRole('status').filter({ hasText: 'Extension 2001 assigned.' }));
    await expectVisible(phone.locator('dt:text-is("Extension") + dd', { hasText: '2001' }));
    await phone.getByLabel('Extension', { exact: true }).fill('3001');
    await phone.getByRole('button', { name: 'Change extension' }).click();
    await expectVisible(phone.getByRole('alert').filter({ hasText: 'extensions here have 4 digits between 2000 and 2099' }));
    await phone.getByRole('button', { name: 'Assign direct number' }).click();
    await expectVisible(phone.getByRole('alert').filter({ hasText: 'no free number is left in the pool' }));
    await shot('07-user-page');
    page.once('dialog', (dialog) => void dialog.accept());
    await phone.getByRole('button', { name: 'Release extension' }).click();
    await expectVisible(phone.getByRole('status').filter({ hasText: 'Extension released.' }));
    await expectVisible(phone.locator('dt:text-is("Extension") + dd', { hasText: 'None' }));

    await go('Licenses', 'Licenses');
    await expectVisible(page.getByRole('row', { name: 'X2 3 1 2' }));
    const chart = page.getByRole('img', { name: /Seats used and free per plan/ });
    await expectVisible(chart);
    expect(await chart.locator('desc').textContent()).toBe('X2: 1 of 3 seats used, 2 free; X4: 0 of 1 seats used, 1 free');
    await shot('08-licenses');
  });

  it('uploads CSVs with a bad row and reports every row', async () => {
    await go('Bulk upload', 'Bulk upload');
    await page.getByLabel('CSV file of user edits').setInputFiles({
      name: 'edits.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(`userName,title,department\n${userName},Engineer,R&D\nghost@contoso.example,Nobody,\n`),
    });
    await page.getByRole('button', { name: 'Upload user edits' }).click();
    const report = page.getByRole('region', { name: 'Report' });
    await expectVisible(report.getByText('1 updated, 0 unchanged, 1 with errors'));
    const rows = report.getByRole('table', { name: 'Result of each row' });
    await expectVisible(rows.getByRole('row', { name: `2 ${userName} updated title, department` }));
    await expectVisible(rows.getByRole('row', { name: '3 ghost@contoso.example error no user ghost@contoso.example in this company' }));
    await shot('09-bulk-user-edits');

    await page.getByLabel('CSV file of license assignments').setInputFiles({
      name: 'licenses.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(`username,plan,action\n${userName},X2,unassign\nghost@contoso.example,X2,assign\n`),
    });
    await page.getByRole('button', { name: 'Upload license assignments' }).click();
    await expectVisible(report.getByText('1 changed, 0 unchanged, 1 with errors'));
    await expectVisible(rows.getByRole('row', { name: '3 ghost@contoso.example error no user ghost@contoso.example in this company' }));
    await shot('10-bulk-licenses');

    // The report is still there after a visit to another page.
    await go('Sites', 'Sites');
    await go('Bulk upload', 'Bulk upload');
    await expectVisible(report.getByText('licenses.csv: license assignments'));
    await expectVisible(rows.getByRole('row', { name: '3 ghost@contoso.example error no user ghost@contoso.example in this company' }));
  });

  it('follows a license import through failed look-ups of its progress', async () => {
    await go('Bulk upload', 'Bulk upload');
    // The first two look-ups of the job get no answer (the network away, a service restarting); the job runs on.
    let failed = 0;
    await page.route('**/licenses/imports/*', async (route) => {
      if (route.request().method() === 'GET' && failed < 2) {
        failed++;
        return route.abort('connectionreset');
      }
      return route.continue();
    });
    try {
      await page.getByLabel('CSV file of license assignments').setInputFiles({
        name: 'again.csv',
        mimeType: 'text/csv',
        buffer: Buffer.from(`username,plan,action\nnobody@contoso.example,X2,assign\n`),
      });
      await page.getByRole('button', { name: 'Upload license assignments' }).click();
      await expectVisible(page.getByText(/the import goes on, but its progress cannot be read .*; trying again/));
      const report = page.getByRole('region', { name: 'Report' });
      await expectVisible(report.getByText('again.csv: license assignments'));
      await expectVisible(report.getByText('0 changed, 0 unchanged, 1 with errors'));
      expect(failed).toBe(2);
    } finally {
      await page.unroute('**/licenses/imports/*');
    }
  });

  it('filters the provisioning log, failures first', async () => {
    await go('Provisioning log', 'Provisioning log');
    const log = page.getByRole('table', { name: 'Provisioning requests' });
    await expectVisible(log);
    // The log is written in batches just after each response: wait until both requests are in it.
    await eventually(async () => {
      await page.getByRole('button', { name: 'Apply' }).click();
      await expectVisible(log.getByText('Failed (409)'), 1_000);
      await expectVisible(log.getByText('201', { exact: true }), 1_000);
    });
    // Failures first is the default order: the failed create leads.
    await expectVisible(log.getByRole('row').nth(1).getByText('Failed (409)'));
    await page.getByLabel('Outcome', { exact: true }).selectOption('success');
    await page.getByRole('button', { name: 'Apply' }).click();
    await expectVisible(page.getByText('1 entries'));
    await expect(log.getByText(/^Failed/).count()).resolves.toBe(0);
    await page.getByLabel('Outcome', { exact: true }).selectOption('');
    await page.getByLabel('From', { exact: true }).fill('2000-01-01T00:00');
    await page.getByLabel('To', { exact: true }).fill('2000-01-02T00:00');
    await page.getByRole('button', { name: 'Apply' }).click();
    await expectVisible(page.getByText('No entries match.'));
    await page.getByLabel('From', { exact: true }).fill('');
    await page.getByLabel('To', { exact: true }).fill('');
    await page.getByRole('button', { name: 'Apply' }).click();
    await expectVisible(page.getByText('2 entries'));
    await shot('11-provisioning-log');
  });

  it('can be used with the keyboard, on a phone, and never with a request that lacks the token', async () => {
    await page.goto(`${base}/console#/users`);
    await expectVisible(page.getByRole('heading', { level: 1, name: 'Users' }));
    // The heading takes the focus on navigation; the skip link is the first stop in the tab order.
    await page.waitForFunction(() => document.activeElement?.tagName === 'H1' && document.activeElement.textContent === 'Users', undefined, { timeout: 5_000 });
    const firstStop = await page.evaluate(() => document.querySelector<HTMLElement>('a[href], button, input, select, [tabindex]:not([tabindex="-1"])')?.textContent);
    expect(firstStop).toBe('Skip to content');
    await page.getByRole('link', { name: 'Skip to content' }).focus();
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('main');
    await page.getByRole('link', { name: 'Licenses' }).focus();
    await page.keyboard.press('Enter');
    await expectVisible(page.getByRole('heading', { level: 1, name: 'Licenses' }));

    // Every form control has an accessible name.
    const unlabelled = await page.evaluate(() =>
      [...document.querySelectorAll('input, select, textarea, button')].filter((element) => {
        const labelled = (element as HTMLInputElement).labels?.length || element.getAttribute('aria-label') || (element.tagName === 'BUTTON' && element.textContent?.trim());
        return !labelled;
      }).length,
    );
    expect(unlabelled).toBe(0);

    await page.setViewportSize({ width: 390, height: 844 });
    const menu = page.getByRole('button', { name: 'Menu' });
    await expectVisible(menu);
    await expect(page.getByRole('link', { name: 'Sites' }).isVisible()).resolves.toBe(false);
    await menu.click();
    await expectVisible(page.getByRole('link', { name: 'Sites' }));
    await shot('12-phone');
    await page.setViewportSize({ width: 1280, height: 900 });

    // CSRF: a state change without the bearer token is refused, whatever cookies the browser holds.
    const forged = await page.evaluate(async (tenantId) => {
      const response = await fetch(`/api/v1/tenants/${tenantId}/sso`, {
        method: 'PUT',
        credentials: 'include',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ enabled: false, idp: 'azure-ad' }),
      });
      return response.status;
    }, tenant.tenantId);
    expect(forged).toBe(401);
  });

  it('shows employees the SSO sign-in page, which sends them to Azure AD, and the ACS pages', async () => {
    const login = await page.goto(`${base}/sso/login`);
    expect(login!.status()).toBe(200);
    await page.getByLabel('Work username').fill(userName);
    await shot('13-sso-sign-in');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL((url) => url.href.startsWith(signInUrl));
    expect(new URL(page.url()).searchParams.get('SAMLRequest')).toBeTruthy();

    // Azure AD posts a signed response back to the ACS: the employee is signed in.
    const acs = `${base}/saml2`;
    await postToAcs(postBinding(azureResponseXml({ keys, issuer, nameId: userName, audience: acs, recipient: acs })));
    await expectVisible(page.getByRole('heading', { name: /signed in/i }));
    await shot('14-acs-signed-in');

    await postToAcs(Buffer.from('<not-saml/>').toString('base64'));
    await expectVisible(page.getByRole('heading', { name: 'Sign-in failed' }));
    await expectVisible(page.getByText(/Reference: /));
    await shot('15-acs-error');

    expect(cspViolations).toEqual([]);
    expect(foreignRequests).toEqual([]);
  });

  it('lets a company admin holding the admin app role in with the company’s SSO, and nobody else', async () => {
    const current = (await (await fetch(`${base}/api/v1/tenants/${tenant.tenantId}/sso`, { headers: { authorization: `Bearer ${tenant.adminToken}` } })).json()) as Record<string, unknown>;
    const saved = await fetch(`${base}/api/v1/tenants/${tenant.tenantId}/sso`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${tenant.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ enabled: true, idp: 'azure-ad', signInUrl: current.signInUrl, issuer: current.issuer, signOutUrl: null, adminRole: 'Console.Admin' }),
    });
    expect(saved.status).toBe(200);
    const acs = `${base}/saml2`;
    const withRoles = (roles: string[]) =>
      postBinding(
        azureResponseXml({
          keys,
          issuer,
          nameId: userName,
          audience: acs,
          recipient: acs,
          attributes: { ...azureDefaultClaims({ issuer, nameId: userName }), 'http://schemas.microsoft.com/ws/2008/06/identity/claims/role': roles },
        }),
      );

    await page.evaluate(() => sessionStorage.clear());
    await postToAcs(withRoles(['Console.Admin']));
    await page.goto(`${base}/console`);
    await expectVisible(page.getByRole('heading', { level: 1, name: 'Identity and Security' }));
    // The company by name, and whose SSO session this is: nobody works in another's console unawares.
    await expectVisible(page.getByText(`Company Contoso · signed in as ${userName}`, { exact: true }));
    // Credentials outlive a session, so an SSO admin is told to use the admin API token for them instead of offered buttons that fail.
    await expectVisible(page.getByText(/you cannot issue credentials here: sign in with the company’s admin API token to upload a signing certificate/));
    expect(await page.getByLabel(/Upload a signing certificate/).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Rotate token' }).count()).toBe(0);
    await expectVisible(page.getByRole('button', { name: 'Turn provisioning off' }));
    await shot('16-console-via-sso');

    // An admin who does nothing gets no new token, so the SSO session can go idle and end; the next
    // key or click renews it.
    const tokenRequests: string[] = [];
    const onRequest = (request: { url(): string }) => {
      if (request.url().endsWith('/sso/token')) tokenRequests.push(request.url());
    };
    page.on('request', onRequest);
    await page.waitForTimeout(8_000);
    expect(tokenRequests).toEqual([]);
    const renewed = page.waitForResponse((response) => response.url().endsWith('/sso/token'), { timeout: 10_000 });
    await page.keyboard.press('Shift');
    expect((await renewed).status()).toBe(200);
    page.off('request', onRequest);
    await expectVisible(page.getByText(`Company Contoso · signed in as ${userName}`, { exact: true }));
    // Idle past the token's 30 s: the first change made afterwards waits for a new token instead of failing with 401.
    await page.waitForTimeout(31_000);
    await page.getByRole('button', { name: 'Save user retrieval' }).click();
    await expectVisible(page.getByText('User retrieval setting saved.'));
    expect(await page.getByRole('alert').count()).toBe(0);
    // Turning single sign-on off would sign this admin out too: the console asks first, and taken back nothing changes.
    const ssoPanel = page.getByRole('region', { name: 'Single sign-on (SAML)' });
    let offQuestion = '';
    page.once('dialog', (dialog) => {
      offQuestion = dialog.message();
      void dialog.dismiss();
    });
    await ssoPanel.getByLabel('Employees sign in with the company’s identity provider').uncheck();
    await ssoPanel.getByRole('button', { name: 'Save single sign-on' }).click();
    expect(offQuestion).toContain('You signed in with it: you are signed out too');
    await ssoPanel.getByLabel('Employees sign in with the company’s identity provider').check();
    await expectVisible(ssoPanel.getByText('Single sign-on is on'));

    await page.evaluate(() => sessionStorage.clear());
    await postToAcs(withRoles(['Reader']));
    await page.goto(`${base}/console`);
    await expectVisible(page.getByText(/does not hold your company’s admin role/));
    await expectVisible(page.getByRole('link', { name: 'Sign in with your company account' }));
  });

  /** What Azure AD's auto-submitting page does: a form POST of the SAMLResponse to the ACS. */
  async function postToAcs(samlResponse: string): Promise<void> {
    await page.goto(`${base}/sso/login`);
    await Promise.all([
      page.waitForNavigation(),
      page.evaluate(
        ({ action, value }) => {
          const form = document.createElement('form');
          form.method = 'post';
          form.action = action;
          const input = document.createElement('input');
          input.type = 'hidden';
          input.name = 'SAMLResponse';
          input.value = value;
          form.append(input);
          document.body.append(form);
          form.submit();
        },
        { action: `${base}/saml2`, value: samlResponse },
      ),
    ]);
  }

  function clipboard(): Promise<string> {
    return page.evaluate(() => navigator.clipboard.readText());
  }
});

/** CI runs this beside the other suites on two cores: the embedded stack can be slow to answer there. */
async function expectVisible(locator: Locator, timeout = 30_000): Promise<void> {
  await locator.waitFor({ state: 'visible', timeout });
}

/** Retries an interaction while the read models catch up with the events. */
async function eventually(action: () => Promise<void>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await action();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}
