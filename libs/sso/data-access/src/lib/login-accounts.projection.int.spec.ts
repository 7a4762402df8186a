import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { createDataSource, runMigrations } from '@identity/platform-event-store';
import { applyOneByOneAndInBatch, createTestDatabase, integrationEventsOf } from '@identity/platform-testing';
import { SSO_MIGRATIONS } from './sso-session-activity.migration';
import { loginAccountsProjection } from './sso.projections';

describe('sso.login-accounts applied in batches (real PostgreSQL)', () => {
  let dataSource: DataSource;
  const tenantId = randomUUID();

  beforeAll(async () => {
    dataSource = createDataSource({ url: await createTestDatabase(), migrations: SSO_MIGRATIONS, poolSize: 2 });
    await dataSource.initialize();
    await runMigrations(dataSource);
  });

  afterAll(() => dataSource.destroy());

  const event = integrationEventsOf(tenantId);
  const provisioned = (userId: string, userName: string, active = true) => event(userId, 'UserProvisioned', { userName, active, profile: {} });
  const liveSessionOf = (userId: string, userName: string) =>
    dataSource.query(
      `INSERT INTO sso.sessions (session_id, secret_hash, tenant_id, user_id, user_name, created_at, expires_at, last_active_at)
       VALUES ($1, $2, $3, $4, $5, now(), now() + interval '1 hour', now())`,
      [randomUUID(), randomUUID().replace(/-/g, '').padEnd(64, '0'), tenantId, userId, userName],
    );
  /** The accounts, and who still has a live session: the batch must end sessions exactly as one by one does. */
  const state = async () => [
    ...((await dataSource.query(`SELECT user_id, user_name, status, updated_at FROM sso.login_accounts ORDER BY user_id`)) as object[]),
    ...((await dataSource.query(`SELECT user_id, revoked_reason FROM sso.sessions WHERE revoked_at IS NOT NULL ORDER BY user_id`)) as object[]),
    ...((await dataSource.query(`SELECT user_id, user_name AS session_user_name FROM sso.sessions ORDER BY user_id, user_name`)) as object[]),
  ];

  it('ends in the same accounts and revoked sessions as applying the events one by one', async () => {
    const [existing, leaving, created, shortLived, bornInactive] = [randomUUID(), randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    const before = [provisioned(existing, 'existing@contoso.com'), provisioned(leaving, 'leaving@contoso.com')];
    const batch = [
      event(existing, 'UserAttributesChanged', { changes: { userName: 'moved@contoso.com' } }),
      provisioned(created, 'created@contoso.com'),
      event(leaving, 'UserDeactivated'),
      event(created, 'UserAttributesChanged', { changes: { title: 'Lead' } }),
      event(created, 'UserAttributesChanged', { changes: { userName: 'renamed@contoso.com' } }),
      provisioned(shortLived, 'short@contoso.com'),
      event(shortLived, 'UserDeactivated'),
      event(shortLived, 'UserDeleted'),
      provisioned(bornInactive, 'inactive@contoso.com', false),
      event(existing, 'UserDeactivated'),
      event(existing, 'UserReactivated'),
    ];
    await liveSessionOf(existing, 'existing@contoso.com');
    await liveSessionOf(leaving, 'leaving@contoso.com');
    // As during a rebuild, which replays the accounts but keeps the sessions.
    await liveSessionOf(shortLived, 'short@contoso.com');
    await liveSessionOf(created, 'created@contoso.com');
    const signedInAs = new Map([
      [existing, 'existing@contoso.com'],
      [leaving, 'leaving@contoso.com'],
      [shortLived, 'short@contoso.com'],
      [created, 'created@contoso.com'],
    ]);
    // The sessions as they were before the events, for the other way of applying them.
    const rows = async () => {
      const result = await state();
      await dataSource.query(
        `UPDATE sso.sessions s SET revoked_at = NULL, revoked_reason = NULL, user_name = o.user_name FROM unnest($1::uuid[], $2::text[]) AS o(user_id, user_name) WHERE s.user_id = o.user_id`,
        [[...signedInAs.keys()], [...signedInAs.values()]],
      );
      return result;
    };
    const { oneByOne, batched } = await applyOneByOneAndInBatch(dataSource, loginAccountsProjection, { before, batch }, rows);
    expect(batched).toEqual(oneByOne);
    expect(oneByOne).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ user_id: existing, user_name: 'moved@contoso.com', status: 'active' }),
        expect.objectContaining({ user_id: created, user_name: 'renamed@contoso.com', status: 'active' }),
        expect.objectContaining({ user_id: shortLived, status: 'deleted' }),
        expect.objectContaining({ user_id: bornInactive, status: 'deactivated' }),
        { user_id: existing, revoked_reason: 'user-deactivated' },
        { user_id: leaving, revoked_reason: 'user-deactivated' },
        { user_id: shortLived, revoked_reason: 'user-deactivated' },
        // A renamed user's session carries the new name into its tokens and the IdP logout check.
        { user_id: existing, session_user_name: 'moved@contoso.com' },
        { user_id: created, session_user_name: 'renamed@contoso.com' },
        { user_id: leaving, session_user_name: 'leaving@contoso.com' },
      ]),
    );
  });

  it('in a rebuild, ends the sessions a replayed deactivation could have ended, and never one started after a later reactivation', async () => {
    const [returned, leaving] = [randomUUID(), randomUUID()];
    // Both signed in now: one was deactivated and reactivated yesterday, the other is deactivated as the rebuild runs.
    await liveSessionOf(returned, 'returned@contoso.com');
    await liveSessionOf(leaving, 'leaving.now@contoso.com');
    const replayed = [
      provisioned(returned, 'returned@contoso.com'),
      event(returned, 'UserDeactivated'),
      event(returned, 'UserReactivated'),
      provisioned(leaving, 'leaving.now@contoso.com'),
      { ...event(leaving, 'UserDeactivated'), occurredAt: new Date().toISOString() },
    ];
    await dataSource.transaction((manager) => loginAccountsProjection.replay!(manager, replayed));
    const live = (await dataSource.query(`SELECT user_id FROM sso.sessions WHERE user_id = ANY($1::uuid[]) AND revoked_at IS NULL`, [[returned, leaving]])) as { user_id: string }[];
    expect(live.map((row) => row.user_id)).toEqual([returned]);
  });
});
