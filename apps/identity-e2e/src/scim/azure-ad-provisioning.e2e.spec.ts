import { randomUUID } from 'node:crypto';
import { eventually } from '@identity/platform-testing';
import { azure } from '../support/azure-ad.requests';
import { ENTERPRISE, IdentityStack, scimClient, SITE_8X8, type ScimTenant } from '../support/identity-stack';

type User = Record<string, unknown> & { id: string; active: boolean; userName: string };
type List<T> = { totalResults: number; Resources: T[]; startIndex: number; itemsPerPage: number; schemas: string[] };

describe('Azure AD provisioning cycle (replayed against real PostgreSQL and Kafka)', () => {
  const stack = new IdentityStack();
  let tenant: ScimTenant;
  let scim: ReturnType<typeof scimClient>;

  beforeAll(async () => {
    await stack.start();
    tenant = await stack.tenant();
    scim = scimClient(tenant);
  });

  afterAll(() => stack.stop());

  const filterUser = (userName: string) => scim<List<User>>('GET', `/Users?filter=${encodeURIComponent(`userName eq "${userName}"`).replace(/%20/g, '+')}`);

  it('Test Connection: a filter on a random userName answers 200 with an empty list', async () => {
    const response = await filterUser(randomUUID());
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('application/scim+json');
    expect(response.body).toEqual({ schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'], totalResults: 0, startIndex: 1, itemsPerPage: 0, Resources: [] });
    const groups = await scim<List<unknown>>('GET', `/Groups?excludedAttributes=members&filter=${encodeURIComponent(`displayName eq "${randomUUID()}"`)}`);
    expect(groups.status).toBe(200);
    expect(groups.body.totalResults).toBe(0);
  });

  it('initial cycle: no match, so create; the site is assigned; values come back exactly as sent', async () => {
    const userName = `alice.${randomUUID()}@contoso.com`;
    expect((await filterUser(userName)).body.totalResults).toBe(0);
    const created = await scim<User>('POST', '/Users', azure.createUser(userName));
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe(`${tenant.publicScimUrl}/Users/${created.body.id}`);
    expect(created.headers.get('etag')).toMatch(/^W\/"\d+"$/);
    expect(created.body).toMatchObject({
      userName,
      externalId: userName.split('@')[0],
      active: true,
      title: 'Engineer',
      name: { givenName: 'Alice', familyName: 'Example' },
      emails: [{ value: userName, type: 'work', primary: true }],
      phoneNumbers: [
        { value: '+1 (555) 555-0100', type: 'mobile' },
        { value: '+15555550101', type: 'work' },
      ],
      [ENTERPRISE]: { department: 'Support' },
      [SITE_8X8]: { site: 'London' },
    });
    const read = await scim<User>('GET', `/Users/${created.body.id}`);
    expect(read.body).toEqual(created.body);

    const events = await stack.scimService.infrastructure.dataSource.query(
      `SELECT event_type FROM event_store.events WHERE stream_id = $1 ORDER BY stream_version`,
      [`user-${created.body.id}`],
    );
    expect(events.map((event: { event_type: string }) => event.event_type)).toEqual(['UserProvisioned', 'SiteAssigned']);
  });

  it('matches case-insensitively and by externalId, and finds users by the work email as Azure filters it', async () => {
    const userName = `Bob.${randomUUID()}@Contoso.com`;
    const created = await scim<User>('POST', '/Users', azure.createUser(userName));
    for (const filter of [
      `userName eq "${userName.toUpperCase()}"`,
      `externalId eq "${userName.split('@')[0]}"`,
      `emails[type eq "work"].value eq "${userName.toLowerCase()}"`,
    ]) {
      const found = await scim<List<User>>('GET', `/Users?filter=${encodeURIComponent(filter)}`);
      expect({ filter, ids: found.body.Resources.map((user) => user.id) }).toEqual({ filter, ids: [created.body.id] });
    }
  });

  it('incremental updates in both PATCH dialects store only what changed', async () => {
    const userName = `carol.${randomUUID()}@contoso.com`;
    const { body: user } = await scim<User>('POST', '/Users', azure.createUser(userName));
    const first = await scim<User>('PATCH', `/Users/${user.id}`, azure.updateUserDefault('carol.new@contoso.com'));
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({
      emails: [{ value: 'carol.new@contoso.com', type: 'work', primary: true }],
      name: { givenName: 'Alice', familyName: 'Smith' },
      phoneNumbers: [
        { value: '+15555550199', type: 'mobile' },
        { value: '+15555550101', type: 'work' },
      ],
      [ENTERPRISE]: { department: 'Sales' },
      active: true,
    });
    const second = await scim<User>('PATCH', `/Users/${user.id}`, azure.updateUserFlagged('carol.newer@contoso.com'));
    expect(second.body).toMatchObject({ name: { givenName: 'Alicia', familyName: 'Smith' }, title: 'Lead', [ENTERPRISE]: { department: 'Ops' } });

    const versionBefore = Number(/\d+/.exec(second.headers.get('etag')!)![0]);
    const again = await scim<User>('PATCH', `/Users/${user.id}`, azure.updateUserFlagged('carol.newer@contoso.com'));
    expect(again.headers.get('etag')).toBe(`W/"${versionBefore}"`);

    const changes = await stack.scimService.infrastructure.dataSource.query(
      `SELECT data->'changes' AS changes FROM event_store.events WHERE stream_id = $1 AND event_type = 'UserAttributesChanged' ORDER BY stream_version`,
      [`user-${user.id}`],
    );
    expect(changes.map((row: { changes: Record<string, unknown> }) => row.changes)).toEqual([
      { email: 'carol.new@contoso.com', familyName: 'Smith', mobilePhone: '+15555550199', department: 'Sales' },
      { email: 'carol.newer@contoso.com', givenName: 'Alicia', department: 'Ops', title: 'Lead' },
    ]);
  });

  it('disable, re-enable and unassign deactivate without deleting; the user stays readable by id and filter', async () => {
    const userName = `dave.${randomUUID()}@contoso.com`;
    const { body: user } = await scim<User>('POST', '/Users', azure.createUser(userName));
    expect((await scim<User>('PATCH', `/Users/${user.id}`, azure.disableDefault)).body.active).toBe(false);
    expect((await scim<User>('GET', `/Users/${user.id}`)).body.active).toBe(false);
    expect((await filterUser(userName)).body.Resources[0]).toMatchObject({ id: user.id, active: false });
    // A PATCH to an inactive user is accepted (Azure sends updates before re-enabling).
    expect((await scim('PATCH', `/Users/${user.id}`, azure.updateUserDefault('dave.x@contoso.com'))).status).toBe(200);
    expect((await scim<User>('PATCH', `/Users/${user.id}`, azure.enableDefault)).body.active).toBe(true);
    expect((await scim<User>('PATCH', `/Users/${user.id}`, azure.disableFlagged)).body.active).toBe(false);
    const types = await stack.scimService.infrastructure.dataSource.query(
      `SELECT event_type FROM event_store.events WHERE stream_id = $1 ORDER BY stream_version`,
      [`user-${user.id}`],
    );
    expect(types.map((row: { event_type: string }) => row.event_type)).toEqual([
      'UserProvisioned',
      'SiteAssigned',
      'UserDeactivated',
      'UserAttributesChanged',
      'UserReactivated',
      'UserDeactivated',
    ]);
  });

  it('hard delete: 204, then 404 for the IdP, while the user is only deactivated here; deleting again is 404', async () => {
    const userName = `erin.${randomUUID()}@contoso.com`;
    const { body: user } = await scim<User>('POST', '/Users', azure.createUser(userName));
    expect((await scim('DELETE', `/Users/${user.id}`)).status).toBe(204);
    expect((await scim('GET', `/Users/${user.id}`)).status).toBe(404);
    expect((await filterUser(userName)).body.totalResults).toBe(0);
    expect((await scim('DELETE', `/Users/${user.id}`)).status).toBe(404);
    const [row] = await stack.scimService.infrastructure.dataSource.query(`SELECT active, deleted FROM scim.users WHERE user_id = $1`, [user.id]);
    expect(row).toEqual({ active: false, deleted: false });
    // Assigned again in Azure AD: the same user comes back, with its id (and its licenses).
    const recreated = await scim<User>('POST', '/Users', azure.createUser(userName));
    expect(recreated.status).toBe(201);
    expect(recreated.body).toMatchObject({ id: user.id, active: true });

    // Deleted again, then sent again inactive (assigned but disabled in Azure AD): back, and readable.
    expect((await scim('DELETE', `/Users/${user.id}`)).status).toBe(204);
    const inactive = await scim<User>('POST', '/Users', { ...azure.createUser(userName), active: 'False' });
    expect(inactive.status).toBe(201);
    expect(inactive.body).toMatchObject({ id: user.id, active: false });
    expect((await scim<User>('GET', `/Users/${user.id}`)).body).toMatchObject({ id: user.id, active: false });
    expect((await filterUser(userName)).body.totalResults).toBe(1);
  });

  it('links an admin-created user found by userName on the IdP’s first update', async () => {
    const userName = `frank.${randomUUID()}@contoso.com`;
    const userId = randomUUID();
    // An admin created the user in the console (the directory API arrives with its issue; the aggregate is the same).
    await stack.scimService.infrastructure.commands.run({
      streamId: `user-${userId}`,
      streamType: 'user',
      decider: (await import('@identity/identity-domain')).userDecider,
      command: {
        type: 'ProvisionUser',
        actor: { kind: 'admin' },
        userId,
        userName,
        externalId: null,
        active: true,
        profile: { givenName: 'Frank', familyName: null, email: null, title: null, department: null, mobilePhone: null, workPhone: null, locale: null, timezone: null },
        site: null,
        visibleInDirectory: true,
      },
      context: { tenantId: tenant.tenantId, correlationId: 'admin-console' },
      reservations: (await import('@identity/identity-domain')).usernameReservations,
      toOutbox: (await import('@identity/platform-event-store')).outboxFor((await import('@identity/platform-event-store')).publishAsIs),
    });
    const found = await eventually(async () => {
      const response = await filterUser(userName);
      expect(response.body.totalResults).toBe(1);
      return response.body.Resources[0];
    });
    expect(found.id).toBe(userId);
    const conflict = await scim('POST', '/Users', azure.createUser(userName));
    expect(conflict.status).toBe(409);
    const patched = await scim<User>('PATCH', `/Users/${userId}`, azure.updateUserDefault(userName));
    expect(patched.status).toBe(200);
    const types = await stack.scimService.infrastructure.dataSource.query(`SELECT event_type FROM event_store.events WHERE stream_id = $1 ORDER BY stream_version`, [
      `user-${userId}`,
    ]);
    expect(types.map((row: { event_type: string }) => row.event_type)).toEqual(['UserProvisioned', 'DirectoryVisibilityChanged', 'UserLinkedToIdp', 'UserAttributesChanged']);
  });

  it('groups: create without members, add several, remove in both dialects, rename, read without members, delete', async () => {
    const members = await Promise.all(
      [1, 2, 3].map(async () => (await scim<User>('POST', '/Users', azure.createUser(`member.${randomUUID()}@contoso.com`))).body.id),
    );
    const created = await scim<{ id: string; members?: unknown }>('POST', '/Groups', azure.createGroup(`Sales ${randomUUID()}`));
    expect(created.status).toBe(201);
    const id = created.body.id;
    expect((await scim('PATCH', `/Groups/${id}`, azure.addMembers(members))).status).toBe(204);
    expect((await scim('PATCH', `/Groups/${id}`, azure.removeMembersDefault([members[0]]))).status).toBe(204);
    expect((await scim('PATCH', `/Groups/${id}`, azure.removeMemberFlagged(members[1]))).status).toBe(204);
    // A remove that lists no one removes no one (the emptied-group bug other SCIM servers have).
    expect((await scim('PATCH', `/Groups/${id}`, azure.removeMembersDefault([]))).status).toBe(204);
    const read = await scim<{ members: { value: string }[] }>('GET', `/Groups/${id}`);
    expect(read.body.members.map((member) => member.value)).toEqual([members[2]]);
    // Replacing the whole list stores what changed, not the group: here one member added, then one removed.
    const storedEvents = async () =>
      ((await stack.scimService.infrastructure.dataSource.query(`SELECT event_type, data FROM event_store.events WHERE stream_id = $1 ORDER BY stream_version`, [`group-${id}`])) as {
        event_type: string;
        data: { userIds?: string[] };
      }[]).map((event) => [event.event_type, event.data.userIds]);
    const replaceMembers = (ids: string[]) => ({ schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', path: 'members', value: ids.map((value) => ({ value })) }] });
    const before = (await storedEvents()).length;
    expect((await scim('PATCH', `/Groups/${id}`, replaceMembers([members[2], members[0]]))).status).toBe(204);
    expect((await scim('PATCH', `/Groups/${id}`, replaceMembers([members[2]]))).status).toBe(204);
    expect((await storedEvents()).slice(before)).toEqual([
      ['GroupMembersAdded', [members[0]]],
      ['GroupMembersRemoved', [members[0]]],
    ]);
    const renamed = `Sales EMEA ${randomUUID()}`;
    expect((await scim('PATCH', `/Groups/${id}`, azure.renameGroup(renamed))).status).toBe(204);
    // Asked for attributes, a PATCH answers 200 with them (RFC 7644 §3.5.2).
    expect(await scim('PATCH', `/Groups/${id}?attributes=displayName`, azure.renameGroup(renamed))).toMatchObject({ status: 200, body: { id, displayName: renamed } });
    expect((await scim<Record<string, unknown>>('PATCH', `/Groups/${id}?attributes=displayName`, azure.renameGroup(renamed))).body).not.toHaveProperty('members');
    const byName = await scim<List<Record<string, unknown>>>(
      'GET',
      `/Groups?excludedAttributes=members&filter=${encodeURIComponent(`displayName eq "${renamed.toLowerCase()}"`)}`,
    );
    expect(byName.body.totalResults).toBe(1);
    expect(byName.body.Resources[0]).not.toHaveProperty('members');
    expect((await scim('GET', `/Groups/${id}?excludedAttributes=members`)).body).not.toHaveProperty('members');
    expect((await scim('DELETE', `/Groups/${id}`)).status).toBe(204);
    expect((await scim('GET', `/Groups/${id}`)).status).toBe(404);
    expect((await scim('DELETE', `/Groups/${id}`)).status).toBe(404);
  });
});
