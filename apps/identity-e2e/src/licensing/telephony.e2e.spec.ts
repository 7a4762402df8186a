import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import type { IntegrationEvent } from '@identity/contracts';
import { autoAssignTelephony, LicenseImportService, LicensingService, TelephonyService } from '@identity/licensing-application';
import { LicensingQueries, TelephonyQueries } from '@identity/licensing-data-access';
import { eventually, TEST_PLATFORM_TOKEN } from '@identity/platform-testing';
import { azure } from '../support/azure-ad.requests';
import { IdentityStack, scimClient, type ScimTenant } from '../support/identity-stack';

type Profile = { userId: string; extension: string | null; number: string | null };
type Problem = { title: string; detail: string };

/** Numbers the operators import for the company: +1 425 555 01xx. */
const POOL = Array.from({ length: 80 }, (_, index) => `+1 (425) 555-01${String(index).padStart(2, '0')}`);
const e164 = (index: number) => `+142555501${String(index).padStart(2, '0')}`;

describe('Telephony profile: extensions and direct numbers of licensed users (real PostgreSQL and Kafka)', () => {
  const stack = new IdentityStack();
  let tenant: ScimTenant;
  let scim: ReturnType<typeof scimClient>;
  let licensing: string;
  const api = <T = Record<string, unknown>>(method: string, path: string, body?: unknown, token = tenant.adminToken) =>
    stack.admin<T>(licensing, method, `/api/v1/tenants/${tenant.tenantId}${path}`, token, body);

  beforeAll(async () => {
    await stack.start({}, { licensingInstances: 1 });
    licensing = `http://127.0.0.1:${stack.licensing[0].port}`;
    tenant = await stack.tenant({ sites: ['London'] });
    scim = scimClient(tenant);
    await eventually(async () => expect((await api('PUT', '/licenses/plans/X4', { seats: 200 }, TEST_PLATFORM_TOKEN)).status).toBe(200));
    const settings = await api('PUT', '/telephony/settings', { extensionPlan: { length: 4, rangeStart: 2000, rangeEnd: 2099 }, autoAssignExtension: false, autoAssignNumber: false, quarantineDays: 30 });
    expect(settings.status).toBe(200);
    const imported = await fetch(`${licensing}/api/v1/tenants/${tenant.tenantId}/telephony/numbers`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_PLATFORM_TOKEN}`, 'content-type': 'text/plain' },
      body: ['number', ...POOL].join('\n'),
    });
    expect(await imported.json()).toMatchObject({ imported: 80, pool: { total: 80, available: 80 } });
  });

  afterAll(() => stack.stop());

  /** A company of its own with X4 seats, an extension plan, and `count` provisioned people licensing knows with their site. */
  async function companyOf(count: number, range: { rangeStart: number; rangeEnd: number }, autoAssignExtension: boolean) {
    const company = await stack.tenant({ sites: ['London'] });
    const theirScim = scimClient(company);
    const theirs = <T = Record<string, unknown>>(method: string, path: string, body?: unknown, token = company.adminToken) =>
      stack.admin<T>(licensing, method, `/api/v1/tenants/${company.tenantId}${path}`, token, body);
    await eventually(async () => expect((await theirs('PUT', '/licenses/plans/X4', { seats: 50 }, TEST_PLATFORM_TOKEN)).status).toBe(200));
    expect((await theirs('PUT', '/telephony/settings', { extensionPlan: { length: 4, ...range }, autoAssignExtension, autoAssignNumber: false, quarantineDays: 30 })).status).toBe(200);
    const people: { userId: string; userName: string }[] = [];
    for (let index = 0; index < count; index++) {
      const userName = `csv${index}.${randomUUID().slice(0, 8)}@fabrikam.com`;
      people.push({ userId: (await theirScim<{ id: string }>('POST', '/Users', azure.createUser(userName))).body.id, userName });
    }
    await eventually(async () => {
      const users = await theirs<{ items: { hasSite: boolean }[] }>('GET', '/licenses/users?limit=500');
      expect(users.body.items.filter((item) => item.hasSite)).toHaveLength(count);
    });
    return { company, theirs, people, theirScim };
  }

  /** A license CSV uploaded as a company's admin, once its job has finished: the results in line order. */
  async function importLicenses(company: { tenantId: string; adminToken: string }, csv: string, dryRun: boolean) {
    const started = await fetch(`${licensing}/api/v1/tenants/${company.tenantId}/licenses/imports?dryRun=${dryRun}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${company.adminToken}`, 'content-type': 'text/csv' },
      body: csv,
    });
    const { jobId } = (await started.json()) as { jobId: string };
    return eventually(async () => {
      const status = await stack.admin<{ status: string; results: { line: number; outcome: string; error?: string }[] }>(
        licensing,
        'GET',
        `/api/v1/tenants/${company.tenantId}/licenses/imports/${jobId}`,
        company.adminToken,
      );
      expect(status.body.status).toBe('finished');
      return status.body.results.sort((a, b) => a.line - b.line);
    });
  }

  /** A user provisioned by Azure AD with a site, known to licensing, licensed unless told otherwise. */
  async function user(options: { licensed?: boolean } = {}) {
    const userName = `tel.${randomUUID().slice(0, 8)}@contoso.com`;
    const userId = (await scim<{ id: string }>('POST', '/Users', azure.createUser(userName))).body.id;
    await eventually(async () => {
      const users = await api<{ items: { userId: string; hasSite: boolean }[] }>('GET', '/licenses/users?limit=500');
      expect(users.body.items.find((item) => item.userId === userId)).toMatchObject({ hasSite: true });
    });
    if (options.licensed ?? true) expect((await api('PUT', `/licenses/users/${userId}`, { plan: 'X4' })).status).toBe(200);
    return { userId, userName };
  }

  it('gives an extension and a number only to licensed users, within the plan and from the pool', async () => {
    const unlicensed = await user({ licensed: false });
    expect(await api<Problem>('PUT', `/telephony/users/${unlicensed.userId}/extension`, { extension: '2001' })).toMatchObject({ status: 409, body: { title: 'not-licensed' } });
    expect(await api<Problem>('PUT', `/telephony/users/${unlicensed.userId}/number`, {})).toMatchObject({ status: 409, body: { title: 'not-licensed' } });

    const first = await user();
    expect((await api('PUT', `/telephony/users/${first.userId}/extension`, { extension: '2001' })).body).toMatchObject({ extension: '2001', outcome: 'assigned' });
    expect((await api('PUT', `/telephony/users/${first.userId}/extension`, { extension: '2001' })).body).toMatchObject({ outcome: 'unchanged' });
    expect((await api('PUT', `/telephony/users/${first.userId}/number`, { number: '+1 425-555-0100' })).body).toMatchObject({ number: e164(0), outcome: 'assigned' });

    const second = await user();
    expect(await api<Problem>('PUT', `/telephony/users/${second.userId}/extension`, { extension: '2001' })).toMatchObject({ status: 409, body: { title: 'extension-taken' } });
    expect(await api<Problem>('PUT', `/telephony/users/${second.userId}/number`, { number: e164(0) })).toMatchObject({ status: 409, body: { title: 'number-taken' } });
    expect(await api<Problem>('PUT', `/telephony/users/${second.userId}/extension`, { extension: '3001' })).toMatchObject({ status: 400, body: { title: 'invalid-extension' } });
    expect(await api<Problem>('PUT', `/telephony/users/${second.userId}/number`, { number: '+44 20 7946 0000' })).toMatchObject({ status: 409, body: { title: 'not-in-pool' } });
    expect(await api<Problem>('PUT', `/telephony/users/${second.userId}/number`, { number: 'call me' })).toMatchObject({ status: 400, body: { title: 'invalid-number' } });

    // Changing an extension frees the old one for someone else.
    expect((await api('PUT', `/telephony/users/${first.userId}/extension`, { extension: '2002' })).body).toMatchObject({ outcome: 'assigned' });
    expect((await api('PUT', `/telephony/users/${second.userId}/extension`, { extension: '2001' })).body).toMatchObject({ outcome: 'assigned' });
    expect((await api<Profile>('GET', `/telephony/users/${first.userId}`)).body).toEqual({ userId: first.userId, extension: '2002', number: e164(0) });
  });

  it('another company’s admin gets 404 for this company’s user and changes nothing: license, extension and number stay', async () => {
    const person = await user();
    await api('PUT', `/telephony/users/${person.userId}/extension`, { extension: '2066' });
    const { number } = (await api<{ number: string }>('PUT', `/telephony/users/${person.userId}/number`, {})).body;
    const other = await stack.tenant();
    const theirs = (method: string, path: string) => stack.admin(licensing, method, `/api/v1/tenants/${other.tenantId}${path}`, other.adminToken);
    for (const [method, path] of [
      ['DELETE', `/licenses/users/${person.userId}`],
      ['DELETE', `/telephony/users/${person.userId}/extension`],
      ['DELETE', `/telephony/users/${person.userId}/number`],
      ['GET', `/telephony/users/${person.userId}`],
      ['GET', `/telephony/users/${randomUUID()}`],
    ]) {
      expect({ method, path, status: (await theirs(method, path)).status }).toEqual({ method, path, status: 404 });
    }
    expect((await api<Profile>('GET', `/telephony/users/${person.userId}`)).body).toEqual({ userId: person.userId, extension: '2066', number });
    const users = await api<{ items: { userId: string; plan: string | null }[] }>('GET', '/licenses/users?limit=500');
    expect(users.body.items.find((item) => item.userId === person.userId)).toMatchObject({ plan: 'X4' });
    // Bad input from the company's own admin is a 400 too, and changes nothing.
    expect((await api('PUT', `/telephony/users/${person.userId}/extension`, { extension: null })).status).toBe(400);
    expect((await api('PUT', `/telephony/users/${person.userId}/number`, { number: null })).status).toBe(400);
    expect((await api('GET', '/licenses/users?offset=99999999999999999999')).status).toBe(400);
    expect((await api<Profile>('GET', `/telephony/users/${person.userId}`)).body).toMatchObject({ extension: '2066', number });
  });

  it('takes a user id in upper case or percent-encoded as the same user: the same license, the same extension', async () => {
    const person = await user();
    const upper = person.userId.toUpperCase();
    expect((await api('PUT', `/licenses/users/${upper}`, { plan: 'X4' })).body).toMatchObject({ outcome: 'unchanged' });
    expect((await api('PUT', `/licenses/users/${upper}`, { plan: 'X2' })).status).toBe(409);
    expect((await api('PUT', `/telephony/users/${upper}/extension`, { extension: '2067' })).body).toMatchObject({ outcome: 'assigned' });
    expect((await api('PUT', `/telephony/users/${person.userId.replace(/[a-f]/, (letter) => `%${letter.charCodeAt(0).toString(16)}`)}/extension`, { extension: '2067' })).body).toMatchObject({ outcome: 'unchanged' });
    expect((await api<Profile>('GET', `/telephony/users/${person.userId}`)).body).toMatchObject({ extension: '2067' });
    const { infrastructure } = stack.licensing[0];
    const streams = (await infrastructure.dataSource.query(`SELECT stream_id FROM event_store.streams WHERE lower(stream_id) IN ($1, $2)`, [`license-${person.userId}`, `telephony-${person.userId}`])) as { stream_id: string }[];
    expect(streams.map((row) => row.stream_id).sort()).toEqual([`license-${person.userId}`, `telephony-${person.userId}`]);
  });

  it('frees the extension and number of a user whose license an admin takes away', async () => {
    const person = await user();
    await api('PUT', `/telephony/users/${person.userId}/extension`, { extension: '2055' });
    const { number } = (await api<{ number: string }>('PUT', `/telephony/users/${person.userId}/number`, {})).body;
    expect((await api('DELETE', `/licenses/users/${person.userId}`)).body).toMatchObject({ outcome: 'unassigned' });
    expect((await api<Profile>('GET', `/telephony/users/${person.userId}`)).body).toEqual({ userId: person.userId, extension: null, number: null });
    // The user still exists, so there is no quarantine: both can go to someone else at once.
    const next = await user();
    expect((await api('PUT', `/telephony/users/${next.userId}/extension`, { extension: '2055' })).body).toMatchObject({ outcome: 'assigned' });
    expect((await api('PUT', `/telephony/users/${next.userId}/number`, { number })).body).toMatchObject({ outcome: 'assigned' });
  });

  it('an unassignment asked again frees the extension and number an interrupted one left behind', async () => {
    const person = await user();
    await api('PUT', `/telephony/users/${person.userId}/extension`, { extension: '2044' });
    await api('PUT', `/telephony/users/${person.userId}/number`, { number: e164(44) });
    // The unassignment is stored, and the instance stops before the release (as a crash or a deploy would).
    const { infrastructure } = stack.licensing[0];
    expect(await new LicensingService(infrastructure, new LicensingQueries(infrastructure.dataSource)).unassign(tenant.tenantId, person.userId, 'test')).toBe('unassigned');
    expect((await api<Profile>('GET', `/telephony/users/${person.userId}`)).body).toMatchObject({ extension: '2044', number: e164(44) });
    // The admin (or the import's next try) asks again.
    expect((await api('DELETE', `/licenses/users/${person.userId}`)).body).toMatchObject({ outcome: 'unchanged' });
    expect((await api<Profile>('GET', `/telephony/users/${person.userId}`)).body).toEqual({ userId: person.userId, extension: null, number: null });
  });

  it('refuses an extension and a number to a user whose license is being taken away at that moment, and gives them once it stays', async () => {
    const db = new Client({ connectionString: stack.databaseUrl });
    await db.connect();
    try {
      for (const [what, body] of [
        ['extension', { extension: '2033' }],
        ['number', { number: e164(33) }],
      ] as const) {
        const person = await user();
        for (const unassignment of ['ROLLBACK', 'SWAP', 'COMMIT']) {
          // An unassignment in flight: its transaction has deleted the license from the ledger and not yet ended.
          await db.query('BEGIN');
          const [license] = (await db.query(`DELETE FROM licensing.user_licenses WHERE user_id = $1 RETURNING *`, [person.userId])).rows as Record<string, unknown>[];
          expect(license).toBeDefined();
          // A plan swap deletes the row and inserts the new plan's in one transaction: the user stays licensed.
          if (unassignment === 'SWAP') await db.query(`INSERT INTO licensing.user_licenses SELECT * FROM json_populate_record(NULL::licensing.user_licenses, $1)`, [JSON.stringify({ ...license, plan: 'X2' })]);
          const assignment = api<Problem>('PUT', `/telephony/users/${person.userId}/${what}`, body);
          const answeredBeforeTheUnassignmentEnded = await Promise.race([assignment.then(() => true), new Promise((resolve) => setTimeout(() => resolve(false), 500))]);
          await db.query(unassignment === 'ROLLBACK' ? 'ROLLBACK' : 'COMMIT');
          expect({ what, unassignment, answeredBeforeTheUnassignmentEnded }).toEqual({ what, unassignment, answeredBeforeTheUnassignmentEnded: false });
          if (unassignment !== 'COMMIT') {
            expect({ what, unassignment, answer: (await assignment).body }).toMatchObject({ what, unassignment, answer: { outcome: 'assigned' } });
            expect((await api('DELETE', `/telephony/users/${person.userId}/${what}`)).status).toBe(200);
            // Back to the plan the stored events say.
            if (unassignment === 'SWAP') await db.query(`UPDATE licensing.user_licenses SET plan = $2 WHERE user_id = $1`, [person.userId, license.plan]);
          } else {
            expect({ what, unassignment, answer: await assignment }).toMatchObject({ what, unassignment, answer: { status: 409, body: { title: 'not-licensed' } } });
            // The user holds nothing: the unassignment's release, which runs after its commit, would find nothing to free.
            expect((await api<Profile>('GET', `/telephony/users/${person.userId}`)).body).toEqual({ userId: person.userId, extension: null, number: null });
            // Back to the ledger row the stored events say (this test played the unassignment's transaction only).
            await db.query(`INSERT INTO licensing.user_licenses SELECT * FROM json_populate_record(NULL::licensing.user_licenses, $1)`, [JSON.stringify(license)]);
          }
        }
      }
    } finally {
      await db.end();
    }
  });

  it('keeps extensions and numbers unique under 50 concurrent assignments', async () => {
    const users = await Promise.all(Array.from({ length: 50 }, () => user()));
    // All 50 ask for the same extension and the same number at once: exactly one gets each.
    const sameExtension = await Promise.all(users.map((each) => api<Problem>('PUT', `/telephony/users/${each.userId}/extension`, { extension: '2050' })));
    expect(sameExtension.filter((response) => response.status === 200)).toHaveLength(1);
    expect(sameExtension.filter((response) => response.status === 409 && response.body.title === 'extension-taken')).toHaveLength(49);
    const sameNumber = await Promise.all(users.map((each) => api<Problem>('PUT', `/telephony/users/${each.userId}/number`, { number: e164(50) })));
    expect(sameNumber.filter((response) => response.status === 200)).toHaveLength(1);
    expect(sameNumber.filter((response) => response.status === 409 && response.body.title === 'number-taken')).toHaveLength(49);

    // All 50 ask for the next free one at once: 50 different ones.
    const extensions = await Promise.all(users.map((each) => api<{ extension: string }>('PUT', `/telephony/users/${each.userId}/extension`, {})));
    expect(extensions.map((response) => response.status)).toEqual(users.map(() => 200));
    const numbers = await Promise.all(users.map((each) => api<{ number: string }>('PUT', `/telephony/users/${each.userId}/number`, {})));
    expect(numbers.map((response) => response.status)).toEqual(users.map(() => 200));
    const profiles = await Promise.all(users.map((each) => api<Profile>('GET', `/telephony/users/${each.userId}`)));
    const held = profiles.map((profile) => profile.body);
    expect(new Set(held.map((profile) => profile.extension)).size).toBe(50);
    expect(new Set(held.map((profile) => profile.number)).size).toBe(50);
    for (const profile of held) expect(Number(profile.extension)).toBeGreaterThanOrEqual(2000);
  });

  it('deactivated users keep theirs; deleting a user releases both, the number only after the quarantine', async () => {
    const leaver = await user();
    await api('PUT', `/telephony/users/${leaver.userId}/extension`, { extension: '2099' });
    await api('PUT', `/telephony/users/${leaver.userId}/number`, { number: e164(79) });

    await scim('PATCH', `/Users/${leaver.userId}`, { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'Replace', path: 'active', value: 'False' }] });
    await eventually(async () => {
      const users = await api<{ items: { userId: string; status: string }[] }>('GET', '/licenses/users?limit=500');
      expect(users.body.items.find((item) => item.userId === leaver.userId)?.status).toBe('deactivated');
    });
    expect((await api<Profile>('GET', `/telephony/users/${leaver.userId}`)).body).toMatchObject({ extension: '2099', number: e164(79) });

    expect((await stack.admin(stack.directoryUrl, 'DELETE', `/api/v1/tenants/${tenant.tenantId}/users/${leaver.userId}`, tenant.adminToken)).status).toBeLessThan(300);
    await eventually(async () => expect((await api<Profile>('GET', `/telephony/users/${leaver.userId}`)).body).toMatchObject({ extension: null, number: null }));

    const next = await user();
    expect((await api('PUT', `/telephony/users/${next.userId}/extension`, { extension: '2099' })).body).toMatchObject({ outcome: 'assigned' });
    expect(await api<Problem>('PUT', `/telephony/users/${next.userId}/number`, { number: e164(79) })).toMatchObject({ status: 409, body: { title: 'quarantined' } });
    const numbers = await api<{ items: { number: string; quarantinedUntil: string | null }[]; total: number }>('GET', '/telephony/numbers');
    expect(numbers.body.total).toBe(POOL.length);
    // The pool pages like every list.
    const page = await api<{ items: { number: string }[] }>('GET', '/telephony/numbers?offset=78&limit=5');
    expect(page.body.items.map((item) => item.number)).toEqual(numbers.body.items.slice(78, 83).map((item) => item.number));
    const quarantinedUntil = new Date(numbers.body.items.find((item) => item.number === e164(79))!.quarantinedUntil!);
    expect(quarantinedUntil.getTime() - Date.now()).toBeGreaterThan(29 * 86_400_000);
    // The next free number is never a quarantined one.
    expect((await api<{ number: string }>('PUT', `/telephony/users/${next.userId}/number`, {})).body.number).not.toBe(e164(79));
  });

  it('a deleted user’s number sits out the quarantine also when the admin releases it first', async () => {
    const leaver = await user();
    await api('PUT', `/telephony/users/${leaver.userId}/number`, { number: e164(77) });
    expect((await stack.admin(stack.directoryUrl, 'DELETE', `/api/v1/tenants/${tenant.tenantId}/users/${leaver.userId}`, tenant.adminToken)).status).toBeLessThan(300);
    // As soon as licensing knows of the deletion, usually before its reaction has released the number.
    await eventually(
      async () => {
        const users = await api<{ items: { userId: string; status: string }[] }>('GET', '/licenses/users?limit=500');
        expect(users.body.items.find((item) => item.userId === leaver.userId)?.status ?? 'deleted').toBe('deleted');
      },
      { intervalMs: 10 },
    );
    expect((await api('DELETE', `/telephony/users/${leaver.userId}/number`)).status).toBe(200);
    const numbers = await api<{ items: { number: string; quarantinedUntil: string | null }[] }>('GET', '/telephony/numbers');
    expect(numbers.body.items.find((item) => item.number === e164(77))?.quarantinedUntil).not.toBeNull();
  });

  it('assigns the next free extension and number with a license when the company asks for it', async () => {
    await api('PUT', '/telephony/settings', { extensionPlan: { length: 4, rangeStart: 2000, rangeEnd: 2099 }, autoAssignExtension: true, autoAssignNumber: true, quarantineDays: 30 });
    const newcomer = await user();
    await eventually(async () => {
      const profile = (await api<Profile>('GET', `/telephony/users/${newcomer.userId}`)).body;
      expect(profile.extension).toMatch(/^20\d\d$/);
      expect(profile.number).toMatch(/^\+142555501\d\d$/);
    });
    // An admin who then takes the extension away has decided: the license's event delivered again gives none back.
    expect((await api('DELETE', `/telephony/users/${newcomer.userId}/extension`)).status).toBe(200);
    const { infrastructure } = stack.licensing[0];
    const [licensed] = (await infrastructure.dataSource.query(
      `SELECT payload FROM event_store.outbox WHERE message_key = $1 AND payload->>'eventType' = 'LicenseAssigned' ORDER BY position DESC LIMIT 1`,
      [newcomer.userId],
    )) as { payload: IntegrationEvent }[];
    await autoAssignTelephony.handle(licensed.payload, infrastructure);
    expect((await api<Profile>('GET', `/telephony/users/${newcomer.userId}`)).body.extension).toBeNull();

    // The license may be gone again by the time the reaction runs (a CSV's assign, then unassign): nothing to do, and nothing to retry.
    const unlicensed = await user({ licensed: false });
    const telephony = new TelephonyService(infrastructure, new LicensingQueries(infrastructure.dataSource), new TelephonyQueries(infrastructure.dataSource));
    await expect(telephony.autoAssign(tenant.tenantId, unlicensed.userId, 'test')).resolves.toBeUndefined();
    expect((await api<Profile>('GET', `/telephony/users/${unlicensed.userId}`)).body).toMatchObject({ extension: null, number: null });
  });

  it('shows the extension in every directory (desk phones too, never their contact numbers), finds people by it, and SCIM shows the direct number read-only', async () => {
    const person = await user();
    const before = (await scim<{ meta: { lastModified: string } }>('GET', `/Users/${person.userId}`)).body.meta.lastModified;
    await api('PUT', `/telephony/users/${person.userId}/extension`, { extension: '2077' });
    const { number } = (await api<{ number: string }>('PUT', `/telephony/users/${person.userId}/number`, {})).body;
    // Licensing's changes show in the SCIM representation, so they move its lastModified as well as its ETag.
    await eventually(async () => {
      const scimUser = await scim<{ meta: { lastModified: string }; [key: string]: unknown }>('GET', `/Users/${person.userId}`);
      expect(scimUser.body['urn:ietf:params:scim:schemas:extension:8x8:1.1:User']).toMatchObject({ directNumber: number });
      expect(Date.parse(scimUser.body.meta.lastModified)).toBeGreaterThan(Date.parse(before));
    });
    const directory = (path: string, method = 'GET', body?: unknown) => stack.admin<Record<string, unknown>>(stack.directoryUrl, method, `/api/v1/tenants/${tenant.tenantId}${path}`, tenant.adminToken, body);
    expect((await directory(`/users/${person.userId}/directory-visibility`, 'PUT', { visible: true })).status).toBe(200);

    await eventually(async () => {
      const found = await directory('/directory?extension=2077');
      expect(found.body.items).toEqual([expect.objectContaining({ userId: person.userId, extension: '2077', directNumber: number, contactNumber: '+1 (555) 555-0100' })]);
    });
    const deskPhone = await directory('/directory?view=desk-phone&extension=207');
    expect(deskPhone.body.items).toEqual([expect.objectContaining({ userId: person.userId, extension: '2077' })]);
    expect((deskPhone.body.items as Record<string, unknown>[])[0]).not.toHaveProperty('directNumber');
    expect((deskPhone.body.items as Record<string, unknown>[])[0]).not.toHaveProperty('contactNumber');
    // Nor does a desk phone find people by the contact numbers it never shows; a number with no digit finds nobody.
    const foundByMobile = async (view: string) => ((await directory(`/directory?view=${view}&number=15555550100`)).body.items as { userId: string }[]).map((item) => item.userId);
    expect(await foundByMobile('company')).toContain(person.userId);
    expect(await foundByMobile('desk-phone')).toEqual([]);
    expect((await directory(`/directory?view=desk-phone&number=${encodeURIComponent(number.slice(1))}`)).body.items).toEqual([expect.objectContaining({ extension: '2077' })]);
    for (const query of ['number=%2B', 'number=abc', 'extension=x']) expect((await directory(`/directory?${query}`)).body.items).toEqual([]);
    for (const view of ['company', 'contact-center', 'switchboard']) {
      expect((await directory(`/directory?view=${view}&number=${encodeURIComponent(number.slice(1))}`)).body.items).toEqual([expect.objectContaining({ extension: '2077' })]);
    }
    expect((await directory(`/users/${person.userId}`)).body).toMatchObject({ extension: '2077', directNumber: number });

    await eventually(async () => {
      const scimUser = await scim<{ phoneNumbers: { type: string; value: string }[]; [key: string]: unknown }>('GET', `/Users/${person.userId}`);
      expect(scimUser.body.phoneNumbers).toEqual(expect.arrayContaining([{ type: 'direct', value: number }, { type: 'mobile', value: '+1 (555) 555-0100' }]));
      expect(scimUser.body['urn:ietf:params:scim:schemas:extension:8x8:1.1:User']).toEqual({ site: 'London', extension: '2077', directNumber: number });
    });
    // Azure AD's next update of the mobile number leaves the direct number alone.
    await scim('PATCH', `/Users/${person.userId}`, {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'Replace', path: 'phoneNumbers[type eq "mobile"].value', value: '+15555550199' }],
    });
    const after = await scim<{ phoneNumbers: { type: string; value: string }[] }>('GET', `/Users/${person.userId}`);
    expect(after.body.phoneNumbers).toEqual(expect.arrayContaining([{ type: 'direct', value: number }, { type: 'mobile', value: '+15555550199' }]));
    // What /Schemas lists can be filtered on, as exactly as it says (the site is caseExact).
    const found = async (filter: string) =>
      (await scim<{ Resources: { id: string }[] }>('GET', `/Users?filter=${encodeURIComponent(filter)}`)).body.Resources.map((resource) => resource.id);
    expect(await found(`phoneNumbers[type eq "direct" and value eq "${number}"]`)).toEqual([person.userId]);
    expect(await found('urn:ietf:params:scim:schemas:extension:8x8:1.1:User:extension eq "2077"')).toEqual([person.userId]);
    expect(await found(`urn:8x8:scim:schemas:extension:8x8user:2.0:User:directNumber eq "${number}"`)).toEqual([person.userId]);
    expect(await found(`urn:ietf:params:scim:schemas:extension:8x8:1.1:User:extension eq "2077" and urn:ietf:params:scim:schemas:extension:8x8:1.1:User:site eq "london"`)).toEqual([]);

    const schemas = await scim<{ Resources: { id: string; attributes: { name: string; mutability: string; caseExact: boolean; subAttributes?: { name: string; canonicalValues?: string[] }[] }[] }[] }>('GET', '/Schemas');
    const site = schemas.body.Resources.find((schema) => schema.id === 'urn:ietf:params:scim:schemas:extension:8x8:1.1:User')!;
    expect(site.attributes.map(({ name, mutability, caseExact }) => ({ name, mutability, caseExact }))).toEqual([
      { name: 'site', mutability: 'immutable', caseExact: true },
      { name: 'extension', mutability: 'readOnly', caseExact: true },
      { name: 'directNumber', mutability: 'readOnly', caseExact: true },
    ]);
  });

  it('works from the operators’ CLI: number import, user extension, user number', async () => {
    // Asynchronously: the services run in this process and must go on answering while the CLI waits.
    const cli = (token: string, ...args: string[]) =>
      new Promise<{ status: number; body: Record<string, unknown> }>((resolve) => {
        execFile(
          process.execPath,
          [path.resolve(__dirname, '../../../../dist/tools/cli/main.js'), ...args, '--json'],
          { encoding: 'utf8', env: { PATH: process.env.PATH, IDENTITY_URL: licensing, IDENTITY_TOKEN: token } },
          (error, stdout) => resolve({ status: error ? Number(error.code ?? 1) : 0, body: JSON.parse(stdout || '{}') as Record<string, unknown> }),
        );
      });
    const dir = mkdtempSync(path.join(tmpdir(), 'numbers-'));
    writeFileSync(path.join(dir, 'numbers.csv'), 'number\n+44 20 7946 0001\n+44 20 7946 0002\n');
    expect(await cli(TEST_PLATFORM_TOKEN, 'number', 'import', '--tenant', tenant.tenantId, path.join(dir, 'numbers.csv'))).toMatchObject({ status: 0, body: { imported: 2 } });
    // As PowerShell's Export-Csv and spreadsheets write it: quoted, CRLF, a BOM, more columns.
    writeFileSync(path.join(dir, 'export.csv'), '\uFEFF#TYPE System.Management.Automation.PSCustomObject\r\n"Number","Note"\r\n"+44 20 7946 0003","reception"\r\n"+44 20 7946 0004",""\r\n');
    expect(await cli(TEST_PLATFORM_TOKEN, 'number', 'import', '--tenant', tenant.tenantId, path.join(dir, 'export.csv'))).toMatchObject({ status: 0, body: { imported: 2 } });
    // No header, a note after the number, the trailing comma spreadsheets leave.
    writeFileSync(path.join(dir, 'plain.csv'), '+44 20 7946 0005,Reception\n+44 20 7946 0006,\n');
    expect(await cli(TEST_PLATFORM_TOKEN, 'number', 'import', '--tenant', tenant.tenantId, path.join(dir, 'plain.csv'))).toMatchObject({ status: 0, body: { imported: 2 } });
    writeFileSync(path.join(dir, 'broken.csv'), 'number\n"+44 20 7946 0007\n');
    expect(await cli(TEST_PLATFORM_TOKEN, 'number', 'import', '--tenant', tenant.tenantId, path.join(dir, 'broken.csv'))).toMatchObject({ status: 1, body: { details: { status: 400, title: 'invalid-csv' } } });
    rmSync(dir, { recursive: true, force: true });

    const person = await user();
    expect(await cli(tenant.adminToken, 'user', 'extension', '--tenant', tenant.tenantId, '--user', person.userName, '--extension', '2088')).toMatchObject({
      status: 0,
      body: { extension: '2088', outcome: 'assigned' },
    });
    expect(await cli(tenant.adminToken, 'user', 'number', '--tenant', tenant.tenantId, '--user', person.userName, '--number', '+442079460002')).toMatchObject({
      status: 0,
      body: { number: '+442079460002', outcome: 'assigned' },
    });
    const taken = await cli(tenant.adminToken, 'user', 'extension', '--tenant', tenant.tenantId, '--user', (await user()).userName, '--extension', '2088');
    expect(taken.status).not.toBe(0);
    expect(String(taken.body.error)).toContain('extension-taken');
    expect(await cli(tenant.adminToken, 'user', 'number', '--tenant', tenant.tenantId, '--user', person.userName, '--release')).toMatchObject({ status: 0, body: { outcome: 'released' } });
  });

  it('keeps a direct number in one company’s pool: another company’s import of it is refused whole, even at the same moment', async () => {
    const importTo = async (tenantId: string, numbers: string[]) => {
      const response = await fetch(`${licensing}/api/v1/tenants/${tenantId}/telephony/numbers`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TEST_PLATFORM_TOKEN}`, 'content-type': 'text/plain' },
        body: numbers.join('\n'),
      });
      return { status: response.status, body: (await response.json()) as { detail?: string; imported?: number } };
    };
    const [rival, latecomer] = [await stack.tenant(), await stack.tenant()];
    const fresh = `+1206555${String(Math.floor(Math.random() * 10_000)).padStart(4, '0')}`;
    const refused = await importTo(rival.tenantId, [fresh, POOL[5]]);
    expect(refused).toMatchObject({ status: 409, body: { detail: expect.stringContaining(e164(5)) } });
    const rivalPool = await stack.admin<{ total: number }>(licensing, 'GET', `/api/v1/tenants/${rival.tenantId}/telephony/numbers`, TEST_PLATFORM_TOKEN);
    expect(rivalPool.body.total).toBe(0);
    // A number two pools held before pools were exclusive: each company may still import its usual file.
    await stack.licensing[0].infrastructure.dataSource.query(`INSERT INTO licensing.phone_numbers (tenant_id, number, imported_at) VALUES ($1, $2, now())`, [
      rival.tenantId,
      e164(6),
    ]);
    expect(await importTo(tenant.tenantId, POOL)).toMatchObject({ status: 201, body: { imported: 0 } });
    // Two companies importing one new number at once: the pool of exactly one of them gets it.
    const raced = await Promise.all([importTo(rival.tenantId, [fresh]), importTo(latecomer.tenantId, [fresh])]);
    expect(raced.map((result) => result.status).sort()).toEqual([201, 409]);
    // A value that is no number refuses the file, saying which line, and imports nothing of it.
    const [before] = (await stack.licensing[0].infrastructure.dataSource.query(`SELECT count(*)::int AS n FROM licensing.phone_numbers WHERE tenant_id = $1`, [rival.tenantId])) as { n: number }[];
    expect(await importTo(rival.tenantId, ['number', '+12065550199', 'call me maybe'])).toMatchObject({ status: 400, body: { detail: expect.stringContaining('line 3: call me maybe is not an E.164 number') } });
    expect(await stack.licensing[0].infrastructure.dataSource.query(`SELECT count(*)::int AS n FROM licensing.phone_numbers WHERE tenant_id = $1`, [rival.tenantId])).toEqual([before]);
  });

  it('takes extensions and numbers in the license CSV, and applies a row whole or not at all, with a report row for each failure', async () => {
    const [first, second, third, fourth, fifth] = [
      await user({ licensed: false }),
      await user({ licensed: false }),
      await user({ licensed: false }),
      await user({ licensed: false }),
      await user({ licensed: false }),
    ];
    const csv = [
      'username,plan,action,extension,number',
      `${first.userName},X4,assign,2095,auto`,
      `${second.userName},X4,assign,auto,`,
      `${third.userName},X4,assign,9999,`,
      `${fourth.userName},X4,assign,,+1 555 000 0000`,
      // The extension an earlier row of the same file takes.
      `${fifth.userName},X4,assign,2095,`,
      // The first user's row again: nothing more to do, in the preview as in the upload.
      `${first.userName},X4,assign,2095,`,
      // The second user's row again with "auto": the extension the earlier row gave stays, in the preview as in the upload.
      `${second.userName},X4,assign,auto,`,
    ].join('\n');
    const upload = (dryRun: boolean) => importLicenses(tenant, csv, dryRun);
    const refusals = [
      { line: 4, outcome: 'error', error: expect.stringContaining('4 digits between 2000 and 2099') },
      { line: 5, outcome: 'error', error: expect.stringContaining('not in the company') },
      { line: 6, outcome: 'error', error: expect.stringContaining('2095 is already assigned') },
      { line: 7, outcome: 'unchanged' },
      { line: 8, outcome: 'unchanged' },
    ];
    // The preview finds the refusals the upload will meet, and changes nothing.
    expect(await upload(true)).toEqual([expect.objectContaining({ line: 2, outcome: 'would-assign' }), expect.objectContaining({ line: 3, outcome: 'would-assign' }), ...refusals.map((refusal) => expect.objectContaining(refusal))]);
    expect(await upload(false)).toEqual([expect.objectContaining({ line: 2, outcome: 'assigned' }), expect.objectContaining({ line: 3, outcome: 'assigned' }), ...refusals.map((refusal) => expect.objectContaining(refusal))]);
    const profiles = async () => Promise.all([first, second].map(async ({ userId }) => (await api<Profile>('GET', `/telephony/users/${userId}`)).body));
    const given = await profiles();
    expect(given[0]).toMatchObject({ extension: '2095', number: expect.stringMatching(/^\+/) });
    expect(given[1]).toMatchObject({ extension: expect.stringMatching(/^20\d\d$/) });
    // A refused row assigned nothing: not its license either.
    const plans = await api<{ items: { userId: string; plan: string | null }[] }>('GET', '/licenses/users?limit=500');
    for (const refused of [third, fourth, fifth]) expect(plans.body.items.find((item) => item.userId === refused.userId)).toMatchObject({ plan: null });
    // The same file again changes nothing more: `auto` keeps what the user was given.
    expect((await upload(false)).slice(0, 2)).toEqual([expect.objectContaining({ outcome: 'unchanged' }), expect.objectContaining({ outcome: 'unchanged' })]);
    const again = await profiles();
    expect(again[0]).toEqual(given[0]);
    // (The company's automatic number may reach the second user meanwhile; its extension is the file's.)
    expect(again[1].extension).toBe(given[1].extension);
  });

  it('does in the upload what the dry run said: auto rows take the lowest free extensions in file order, around one a later row names; a row that changes only the extension is updated', async () => {
    // A company of its own: which extensions are free is then known.
    const { company, theirs, people } = await companyOf(16, { rangeStart: 3000, rangeEnd: 3099 }, false);
    const upload = async (csv: string, dryRun: boolean) => (await importLicenses(company, csv, dryRun)).map((row) => row.error ?? row.outcome);
    const csv = ['username,plan,action,extension', ...people.slice(0, 15).map((person) => `${person.userName},X4,assign,auto`), `${people[15].userName},X4,assign,3003`].join('\n');
    expect(await upload(csv, true)).toEqual(Array(16).fill('would-assign'));
    expect(await upload(csv, false)).toEqual(Array(16).fill('assigned'));
    const extensions = await Promise.all(people.map(async ({ userId }) => (await theirs<Profile>('GET', `/telephony/users/${userId}`)).body.extension));
    expect(extensions).toEqual(['3000', '3001', '3002', ...Array.from({ length: 12 }, (_, index) => String(3004 + index)), '3003']);

    const move = `username,plan,action,extension\n${people[0].userName},X4,assign,3050`;
    expect(await upload(move, true)).toEqual(['would-update']);
    expect(await upload(move, false)).toEqual(['updated']);
    expect((await theirs<Profile>('GET', `/telephony/users/${people[0].userId}`)).body.extension).toBe('3050');
    expect(await upload(move, false)).toEqual(['unchanged']);
  });

  it('gives a CSV row that asks for no extension the company’s automatic one in file order, never one a later row names', async () => {
    // Three extensions, automatic with every license: the file's last row names the lowest one.
    const { company, theirs, people } = await companyOf(4, { rangeStart: 4000, rangeEnd: 4002 }, true);
    const upload = async (csv: string, dryRun: boolean) => (await importLicenses(company, csv, dryRun)).map((row) => row.error ?? row.outcome);
    const csv = ['username,plan,action,extension', `${people[0].userName},X4,assign,`, `${people[1].userName},X4,assign,`, `${people[2].userName},X4,assign,4000`].join('\n');
    expect(await upload(csv, true)).toEqual(['would-assign', 'would-assign', 'would-assign']);
    expect(await upload(csv, false)).toEqual(['assigned', 'assigned', 'assigned']);
    const extensionOf = async (userId: string) => (await theirs<Profile>('GET', `/telephony/users/${userId}`)).body.extension;
    expect(await Promise.all(people.slice(0, 3).map(({ userId }) => extensionOf(userId)))).toEqual(['4001', '4002', '4000']);
    // None left: a fourth license is still given, without an extension (as one by one).
    expect(await upload(`username,plan\n${people[3].userName},X4`, false)).toEqual(['assigned']);
    expect(await extensionOf(people[3].userId)).toBeNull();
    // One is free again; the licensed user's row again gives none: extensions come with a new license, as without a file.
    expect(await upload(`username,plan,action\n${people[0].userName},X4,unassign`, false)).toEqual(['unassigned']);
    for (const dryRun of [true, false]) expect(await upload(`username,plan\n${people[3].userName},X4`, dryRun)).toEqual(['unchanged']);
    expect(await extensionOf(people[3].userId)).toBeNull();
    // Whereas a license given again brings one, in the dry run as in the upload (unassigned and assigned in one file).
    const again = `username,plan,action\n${people[3].userName},X4,unassign\n${people[3].userName},X4,assign`;
    expect(await upload(again, true)).toEqual(['would-unassign', 'would-assign']);
    expect(await upload(again, false)).toEqual(['unassigned', 'assigned']);
    expect(await extensionOf(people[3].userId)).toBe('4001');
  });

  it('hands an extension from a user the file unassigns to a later row that names it, in the upload as in the dry run', async () => {
    const { company, theirs, people } = await companyOf(4, { rangeStart: 5000, rangeEnd: 5099 }, false);
    const upload = async (csv: string, dryRun: boolean) => (await importLicenses(company, csv, dryRun)).map((row) => row.error ?? row.outcome);
    const setUp = ['username,plan,action,extension', `${people[0].userName},X4,assign,5000`, `${people[3].userName},X4,assign,5010`].join('\n');
    expect(await upload(setUp, false)).toEqual(['assigned', 'assigned']);
    const csv = [
      'username,plan,action,extension',
      // The leaver's license goes, and with it the extension, which a later row gives someone else.
      `${people[0].userName},X4,unassign,`,
      `${people[2].userName},X4,assign,auto`,
      `${people[1].userName},X4,assign,5000`,
      // An unassign that takes nothing (a plan the user does not hold) frees nothing.
      `${people[3].userName},X1,unassign,`,
      `${people[2].userName},X4,assign,5010`,
    ].join('\n');
    const [notHeld, taken] = ['the user holds X4, not X1: nothing was taken away', '5010 is already assigned to another user of this company'];
    expect(await upload(csv, true)).toEqual(['would-unassign', 'would-assign', 'would-assign', notHeld, taken]);
    expect(await upload(csv, false)).toEqual(['unassigned', 'assigned', 'assigned', notHeld, taken]);
    const extensionOf = async (userId: string) => (await theirs<Profile>('GET', `/telephony/users/${userId}`)).body.extension;
    expect(await Promise.all(people.map(({ userId }) => extensionOf(userId)))).toEqual([null, '5000', '5001', '5010']);
  });

  it('an import taken over after its instance stopped mid-batch still gives the automatic extension to the licenses that batch gave', async () => {
    const { company, theirs, people } = await companyOf(2, { rangeStart: 5400, rangeEnd: 5499 }, true);
    const jobId = randomUUID();
    // What the stopped instance left: the job running, nothing saved, the first row's license given (by this job), its extension not yet.
    const { infrastructure } = stack.licensing[0];
    const licensingService = new LicensingService(infrastructure, new LicensingQueries(infrastructure.dataSource));
    await eventually(async () => expect(await licensingService.assign(company.tenantId, people[0].userId, 'X4', false, `license-import:${jobId}`, 'import')).toBe('assigned'));
    await infrastructure.dataSource.query(`INSERT INTO licensing.import_jobs (job_id, tenant_id, dry_run, status, total, csv) VALUES ($1, $2, false, 'running', 2, $3)`, [
      jobId,
      company.tenantId,
      ['username,plan', `${people[0].userName},X4`, `${people[1].userName},X4`].join('\n'),
    ]);
    await stack.licensing[0].app.get(LicenseImportService).onApplicationBootstrap();
    await eventually(async () => expect((await theirs('GET', `/licenses/imports/${jobId}`)).body).toMatchObject({ status: 'finished', processed: 2 }));
    const extensions = await Promise.all(people.map(async ({ userId }) => (await theirs<Profile>('GET', `/telephony/users/${userId}`)).body.extension));
    expect(extensions).toEqual([expect.stringMatching(/^54\d\d$/), expect.stringMatching(/^54\d\d$/)]);
  });

  it('an import whose database connection drops while it gives a row the automatic extension resumes, and the row gets it', async () => {
    const { company, theirs, people } = await companyOf(1, { rangeStart: 5800, rangeEnd: 5899 }, true);
    // The connection drops once, at the step that gives the extension (as a failover or a pooler restart would).
    const telephony = (stack.licensing[0].app.get(LicenseImportService) as unknown as { telephony: TelephonyService }).telephony;
    const take = telephony.take.bind(telephony);
    let dropped = 0;
    telephony.take = async (...args: Parameters<TelephonyService['take']>) => {
      if (dropped++ === 0) throw Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' });
      return take(...args);
    };
    try {
      const [row] = await importLicenses(company, ['username,plan', `${people[0].userName},X4`].join('\n'), false);
      expect(row).toMatchObject({ outcome: 'assigned' });
      expect(dropped).toBe(2);
    } finally {
      delete (telephony as Partial<TelephonyService>).take;
    }
    expect((await theirs<Profile>('GET', `/telephony/users/${people[0].userId}`)).body.extension).toMatch(/^58\d\d$/);
  });

  it('a row refused for its license holds no extension for the rows after it, in the dry run as in the upload', async () => {
    const { company, theirs, people } = await companyOf(2, { rangeStart: 5200, rangeEnd: 5299 }, false);
    const upload = async (csv: string, dryRun: boolean) => (await importLicenses(company, csv, dryRun)).map((row) => row.error ?? row.outcome);
    expect(await upload(['username,plan', `${people[0].userName},X4`].join('\n'), false)).toEqual(['assigned']);
    // The first row asks for another plan without a swap: refused, so 5201 is still free for the second.
    const csv = ['username,plan,action,extension', `${people[0].userName},X2,assign,5201`, `${people[1].userName},X4,assign,5201`].join('\n');
    const [dryRun, real] = [await upload(csv, true), await upload(csv, false)];
    expect(dryRun[0]).toContain('X4');
    expect(dryRun.slice(1)).toEqual(['would-assign']);
    expect(real).toEqual([dryRun[0], 'assigned']);
    expect((await theirs<Profile>('GET', `/telephony/users/${people[1].userId}`)).body.extension).toBe('5201');
  });

  /** An extension taken as the event store knows, while the read model a row's check reads has not heard of it yet: another admin's, just now. */
  async function whileExtensionTakenUnseen(tenantId: string, extension: string, work: () => Promise<void>): Promise<void> {
    const key = `${tenantId}:${extension}`;
    const db = new Client({ connectionString: stack.databaseUrl });
    await db.connect();
    try {
      await db.query(`INSERT INTO event_store.reservations (scope, key, stream_id) VALUES ('extension', $1, 'telephony-someone-else')`, [key]);
      await work();
    } finally {
      await db.query(`DELETE FROM event_store.reservations WHERE scope = 'extension' AND key = $1`, [key]);
      await db.end();
    }
  }
  const planOf = async (theirs: <T>(method: string, path: string) => Promise<{ body: T }>, userId: string) =>
    (await theirs<{ items: { userId: string; plan: string | null }[] }>('GET', '/licenses/users?limit=500')).body.items.find((item) => item.userId === userId)?.plan ?? null;

  it('a row whose extension another admin took after the check is refused whole: its new license is not kept, nor counted against the rules', async () => {
    const { company, theirs, people, theirScim } = await companyOf(1, { rangeStart: 5300, rangeEnd: 5399 }, false);
    await whileExtensionTakenUnseen(company.tenantId, '5301', async () => {
      const [row] = await importLicenses(company, ['username,plan,action,extension', `${people[0].userName},X4,assign,5301`].join('\n'), false);
      expect(row).toMatchObject({ outcome: 'error', error: expect.stringContaining('the row’s license was not kept') });
      expect(await planOf(theirs, people[0].userId)).toBeNull();
    });
    // A rule gives a license only to users who never had one, and the refused row gave them none; the IdP's next change makes the rules look.
    expect((await theirs('PUT', '/licenses/rules', { rules: [{ attribute: 'site', value: 'London', plan: 'X4' }] })).status).toBe(200);
    await theirScim('PATCH', `/Users/${people[0].userId}`, { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'Replace', path: 'title', value: 'Lead Engineer' }] });
    await eventually(async () => expect(await planOf(theirs, people[0].userId)).toBe('X4'));
  });

  it('gives the automatic number with a license when the extension plan is full; with both used up the license stays, without either', async () => {
    const { company, theirs, people } = await companyOf(3, { rangeStart: 5700, rangeEnd: 5700 }, true);
    const numbers = ['+14255557701'];
    const imported = await fetch(`${licensing}/api/v1/tenants/${company.tenantId}/telephony/numbers`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_PLATFORM_TOKEN}`, 'content-type': 'text/plain' },
      body: ['number', ...numbers].join('\n'),
    });
    expect(await imported.json()).toMatchObject({ imported: 1 });
    expect((await theirs('PUT', '/telephony/settings', { extensionPlan: { length: 4, rangeStart: 5700, rangeEnd: 5700 }, autoAssignExtension: true, autoAssignNumber: true, quarantineDays: 30 })).status).toBe(200);
    const profileOf = async (userId: string) => (await theirs<Profile>('GET', `/telephony/users/${userId}`)).body;
    // The plan's one extension goes to a user who asks for no number; the next license still gets the pool's number.
    expect((await theirs('PUT', `/licenses/users/${people[0].userId}`, { plan: 'X4' })).status).toBe(200);
    await eventually(async () => expect(await profileOf(people[0].userId)).toMatchObject({ extension: '5700', number: numbers[0] }));
    expect((await theirs('DELETE', `/telephony/users/${people[0].userId}/number`)).status).toBe(200);
    expect((await theirs('PUT', `/licenses/users/${people[1].userId}`, { plan: 'X4' })).status).toBe(200);
    await eventually(async () => expect(await profileOf(people[1].userId)).toMatchObject({ extension: null, number: numbers[0] }));
    // Both used up: a third license gets neither, and stays.
    expect((await theirs('PUT', `/licenses/users/${people[2].userId}`, { plan: 'X4' })).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(await profileOf(people[2].userId)).toMatchObject({ extension: null, number: null });
    expect(await planOf(theirs, people[2].userId)).toBe('X4');
  });

  it('a row that gives a license keeps it when the company’s automatic extension cannot be had after the check: the user goes without one', async () => {
    // The one extension of the plan is the one taken.
    const { company, theirs, people } = await companyOf(1, { rangeStart: 5500, rangeEnd: 5500 }, true);
    await whileExtensionTakenUnseen(company.tenantId, '5500', async () => {
      expect(await importLicenses(company, ['username,plan', `${people[0].userName},X4`].join('\n'), false)).toEqual([expect.objectContaining({ outcome: 'assigned' })]);
      expect((await theirs<Profile>('GET', `/telephony/users/${people[0].userId}`)).body.extension).toBeNull();
      expect(await planOf(theirs, people[0].userId)).toBe('X4');
    });
  });

  it('refuses a number whose holder’s deletion is releasing it into quarantine at that moment', async () => {
    const [leaver, next] = [await user(), await user()];
    // A number of its own: the tests before may have handed out the whole pool as next free ones.
    const number = '+14255559901';
    const imported = await fetch(`${licensing}/api/v1/tenants/${tenant.tenantId}/telephony/numbers`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_PLATFORM_TOKEN}`, 'content-type': 'text/plain' },
      body: `number\n${number}`,
    });
    expect(await imported.json()).toMatchObject({ imported: 1 });
    expect((await api('PUT', `/telephony/users/${leaver.userId}/number`, { number })).body).toMatchObject({ outcome: 'assigned' });
    const db = new Client({ connectionString: stack.databaseUrl });
    await db.connect();
    try {
      // The deletion's release in flight, as its transaction writes it: the reservation goes, the quarantine starts.
      await db.query('BEGIN');
      await db.query(`DELETE FROM event_store.reservations WHERE scope = 'phone-number' AND key = $1`, [`${tenant.tenantId}:${number}`]);
      await db.query(`UPDATE licensing.phone_numbers SET user_id = NULL, quarantined_until = now() + interval '30 days' WHERE tenant_id = $1 AND number = $2`, [tenant.tenantId, number]);
      // The assignment looked before the release committed: the number was held, not in quarantine.
      const assignment = api<Problem>('PUT', `/telephony/users/${next.userId}/number`, { number });
      const answeredBeforeTheReleaseEnded = await Promise.race([assignment.then(() => true), new Promise((resolve) => setTimeout(() => resolve(false), 500))]);
      await db.query('COMMIT');
      expect(answeredBeforeTheReleaseEnded).toBe(false);
      expect(await assignment).toMatchObject({ status: 409, body: { title: 'quarantined' } });
      // (The company may give numbers with every license: the user may hold another one, never this.)
      expect((await api<Profile>('GET', `/telephony/users/${next.userId}`)).body.number).not.toBe(number);
    } finally {
      await db.end();
    }
  });
});
