import { createPrivateKey, createPublicKey, randomUUID, sign, verify } from 'node:crypto';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { createDataSource, runMigrations } from '@identity/platform-event-store';
import { createTestDatabase } from '@identity/platform-testing';
import { SessionStore, SigningKeyStore } from './sessions.store';
import { ConsumedAssertions, PostgresAuthnRequestStore } from './sign-in.stores';
import { SSO_MIGRATIONS } from './sso-session-activity.migration';

describe('sign-in request IDs, replay records and token signing keys (real PostgreSQL)', () => {
  let dataSource: DataSource;
  let url: string;
  const tenantId = randomUUID();

  beforeAll(async () => {
    url = await createTestDatabase();
    dataSource = createDataSource({ url, migrations: SSO_MIGRATIONS, poolSize: 2 });
    await dataSource.initialize();
    await runMigrations(dataSource);
  });

  afterAll(() => dataSource.destroy());

  const count = async (table: string) => Number((await dataSource.query(`SELECT count(*)::int AS n FROM sso.${table}`))[0].n);

  /** The company's SSO as the configuration projection writes it, and as a sign-in verified a response against it. */
  const certificates = [{ thumbprint: 'A'.repeat(64), sha1Thumbprint: 'A'.repeat(40), subject: 'CN=test', notBefore: '2026-01-01T00:00:00.000Z', notAfter: '2029-01-01T00:00:00.000Z', pem: 'x' }];
  const verifiedAgainst = { issuer: 'https://sts.windows.net/t/', adminRole: null, certificates };
  const configure = (company: string, db: { query: (sql: string, params: unknown[]) => Promise<unknown> } = dataSource) =>
    db.query(
      `INSERT INTO sso.configurations (tenant_id, enabled, idp, sign_in_url, issuer, sign_out_url, admin_role, certificates, updated_at)
       VALUES ($1, true, 'azure-ad', 'https://login.example.com/saml2', $2, NULL, NULL, $3, now())
       ON CONFLICT (tenant_id) DO UPDATE SET enabled = true, issuer = excluded.issuer, certificates = excluded.certificates`,
      [company, verifiedAgainst.issuer, JSON.stringify(certificates)],
    );
  const activeAccount = async (company: string) => {
    const userId = randomUUID();
    await dataSource.query(`INSERT INTO sso.login_accounts (user_id, tenant_id, user_name, status, updated_at) VALUES ($1, $2, $3, 'active', now())`, [userId, company, `race.${userId}@contoso.com`]);
    return { tenantId: company, userId, userName: `race.${userId}@contoso.com`, sessionIndex: null, lifetimeSeconds: 3600, consoleAdmin: false, verifiedAgainst };
  };

  it('starts no session for an account whose deactivation is committing at that moment: the sign-in waits for it and sees it', async () => {
    await configure(tenantId);
    const session = await activeAccount(tenantId);
    const { userId } = session;
    // The deactivation's transaction, as the login-accounts projection runs it: status, then the user's open sessions.
    const deactivation = new Client({ connectionString: url });
    await deactivation.connect();
    try {
      await deactivation.query('BEGIN');
      await deactivation.query(`UPDATE sso.login_accounts SET status = 'deactivated' WHERE user_id = $1`, [userId]);
      await deactivation.query(`UPDATE sso.sessions SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL`, [userId]);
      const signIn = new SessionStore(dataSource).start(session);
      const answeredBeforeTheDeactivationEnded = await Promise.race([signIn.then(() => true), new Promise((resolve) => setTimeout(() => resolve(false), 500))]);
      await deactivation.query('COMMIT');
      expect(answeredBeforeTheDeactivationEnded).toBe(false);
      expect(await signIn).toBeNull();
      expect((await dataSource.query(`SELECT count(*)::int AS n FROM sso.sessions WHERE user_id = $1 AND revoked_at IS NULL`, [userId]))[0].n).toBe(0);
    } finally {
      await deactivation.end();
    }
  });

  it('starts no session on a configuration the company is withdrawing at that moment (a certificate removed), and one once it stays', async () => {
    const company = randomUUID();
    await configure(company);
    const store = new SessionStore(dataSource);
    expect(await store.start(await activeAccount(company))).not.toBeNull();
    const change = new Client({ connectionString: url });
    await change.connect();
    try {
      for (const outcome of ['ROLLBACK', 'COMMIT']) {
        // The configuration change's transaction, as the SSO service runs it: the new configuration, then the company's sessions end.
        await change.query('BEGIN');
        await change.query(`UPDATE sso.configurations SET certificates = '[]'::jsonb WHERE tenant_id = $1`, [company]);
        await change.query(`UPDATE sso.sessions SET revoked_at = now() WHERE tenant_id = $1 AND revoked_at IS NULL`, [company]);
        const signIn = store.start(await activeAccount(company));
        const answeredBeforeTheChangeEnded = await Promise.race([signIn.then(() => true), new Promise((resolve) => setTimeout(() => resolve(false), 500))]);
        await change.query(outcome);
        expect({ outcome, answeredBeforeTheChangeEnded }).toEqual({ outcome, answeredBeforeTheChangeEnded: false });
        expect({ outcome, started: (await signIn) !== null }).toEqual({ outcome, started: outcome === 'ROLLBACK' });
      }
      expect((await dataSource.query(`SELECT count(*)::int AS n FROM sso.sessions WHERE tenant_id = $1 AND revoked_at IS NULL`, [company]))[0].n).toBe(0);
    } finally {
      await change.end();
    }
  });

  it('keeps a session live while it is used, ends it once idle for the timeout, and never revives it', async () => {
    const company = randomUUID();
    await configure(company);
    const store = new SessionStore(dataSource);
    const { sessionId, secret } = (await store.start(await activeAccount(company)))!;
    const idleFor = (minutes: number) => dataSource.query(`UPDATE sso.sessions SET last_active_at = now() - make_interval(mins => $2) WHERE session_id = $1`, [sessionId, minutes]);
    await idleFor(50);
    const used = await store.use(secret, 3600);
    expect(used).toMatchObject({ sessionId });
    expect(Date.now() - new Date(used!.lastActiveAt).getTime()).toBeLessThan(60_000);
    await idleFor(61);
    expect(await store.use(secret, 3600)).toBeNull();
    // Using it again does not bring it back, nor does a longer timeout after the fact refresh it.
    expect(await store.use(secret, 3600)).toBeNull();
    expect((await store.byId(sessionId))!.lastActiveAt.getTime()).toBeLessThan(Date.now() - 60 * 60_000);
    expect(await store.use('not-a-secret', 3600)).toBeNull();
  });

  it('reads a live session for a page without counting it as a use', async () => {
    const company = randomUUID();
    await configure(company);
    const store = new SessionStore(dataSource);
    const { sessionId, secret } = (await store.start(await activeAccount(company)))!;
    await dataSource.query(`UPDATE sso.sessions SET last_active_at = now() - interval '50 minutes' WHERE session_id = $1`, [sessionId]);
    expect(await store.live(secret, 3600)).toMatchObject({ sessionId });
    expect((await store.byId(sessionId))!.lastActiveAt.getTime()).toBeLessThan(Date.now() - 49 * 60_000);
    await dataSource.query(`UPDATE sso.sessions SET last_active_at = now() - interval '61 minutes' WHERE session_id = $1`, [sessionId]);
    expect(await store.live(secret, 3600)).toBeNull();
  });

  it('takes sessions as a pod of the release before the idle timeout starts them (no last_active_at), as used at the start', async () => {
    const sessionId = randomUUID();
    await dataSource.query(
      `INSERT INTO sso.sessions (session_id, secret_hash, tenant_id, user_id, user_name, session_index, created_at, expires_at, console_admin)
       VALUES ($1, $2, $3, $4, 'old.pod@contoso.com', NULL, now(), now() + interval '8 hours', false)`,
      [sessionId, 'b'.repeat(64), tenantId, randomUUID()],
    );
    const session = await new SessionStore(dataSource).byId(sessionId);
    expect(Math.abs(session!.lastActiveAt.getTime() - Date.now())).toBeLessThan(60_000);
  });

  it('deletes sessions a week after they expired and keeps the rest', async () => {
    const company = randomUUID();
    await configure(company);
    const store = new SessionStore(dataSource);
    const started = await Promise.all([1, 2, 3].map(async () => (await store.start(await activeAccount(company)))!.sessionId));
    const expiredDaysAgo = (sessionId: string, days: number) =>
      dataSource.query(`UPDATE sso.sessions SET expires_at = now() - make_interval(days => $2), revoked_at = now() WHERE session_id = $1`, [sessionId, days]);
    await expiredDaysAgo(started[0], 8);
    await expiredDaysAgo(started[1], 6);
    await store.purgeEnded();
    expect(await store.byId(started[0])).toBeNull();
    expect(await store.byId(started[1])).not.toBeNull();
    expect(await store.byId(started[2])).not.toBeNull();
  });

  it('purges what expired and keeps what can still be answered or replayed', async () => {
    const requests = new PostgresAuthnRequestStore(dataSource, tenantId, 600_000);
    const consumed = new ConsumedAssertions(dataSource);
    await requests.saveAsync('_live', 'x');
    await dataSource.query(`INSERT INTO sso.authn_requests (request_id, tenant_id, issued_at, expires_at) VALUES ('_old', $1, now() - interval '1 hour', now() - interval '50 minutes')`, [tenantId]);
    expect(await consumed.consume(tenantId, '_assertion-live', new Date(Date.now() + 600_000))).toBe(true);
    expect(await consumed.consume(tenantId, '_assertion-old', new Date(Date.now() - 1_000))).toBe(true);

    await consumed.purgeExpired();

    expect(await requests.getAsync('_live')).not.toBeNull();
    expect(await count('authn_requests')).toBe(1);
    expect(await count('consumed_assertions')).toBe(1);
    // The live replay record still stops a second use.
    expect(await consumed.consume(tenantId, '_assertion-live', new Date(Date.now() + 600_000))).toBe(false);
  });

  it('rotates the token signing key: the successor is published at once, signs ten minutes later, and the retired key goes a day after that', async () => {
    const keys = new SigningKeyStore(dataSource);
    const age = (keyId: string, interval: string) => dataSource.query(`UPDATE sso.signing_keys SET created_at = now() - $2::interval WHERE key_id = $1`, [keyId, interval]);
    const published = async () => (await keys.publicKeys()).map((jwk) => (jwk as { kid?: string }).kid);

    const first = await keys.current();
    expect(await published()).toEqual([first.keyId]);
    // No token for weeks: the first key is long due when the next ones are asked for, by pods at
    // the same moment; they create one successor between them and go on signing with the first.
    await age(first.keyId, '45 days');
    const signers = await Promise.all([keys.current(), keys.current(), keys.current()]);
    expect(signers.map((key) => key.keyId)).toEqual([first.keyId, first.keyId, first.keyId]);
    const [successor] = await published();
    expect(await published()).toEqual([successor, first.keyId]);

    await age(successor!, '11 minutes');
    expect((await keys.current()).keyId).toBe(successor);
    await keys.purgeRetired();
    expect(await published()).toEqual([successor, first.keyId]);
    await age(successor!, '1 day 11 minutes');
    expect(await published()).toEqual([successor]);
    await keys.purgeRetired();
    expect(await count('signing_keys')).toBe(1);
  });

  it('stores the signing key encrypted under the passphrase; a key stored in the clear before still signs, and a changed passphrase gets a new key at once', async () => {
    await dataSource.query(`DELETE FROM sso.signing_keys`);
    const passphrase = 'correct horse battery staple';
    const clear = await new SigningKeyStore(dataSource).current();
    const withPassphrase = new SigningKeyStore(dataSource, passphrase);
    expect((await withPassphrase.current()).keyId).toBe(clear.keyId);

    await dataSource.query(`DELETE FROM sso.signing_keys`);
    const key = await withPassphrase.current();
    const [stored] = (await dataSource.query(`SELECT private_key_pem FROM sso.signing_keys WHERE key_id = $1`, [key.keyId])) as { private_key_pem: string }[];
    expect(stored.private_key_pem).toMatch(/^-----BEGIN ENCRYPTED PRIVATE KEY-----/);
    expect(() => createPrivateKey(stored.private_key_pem)).toThrow();
    const signed = sign('sha256', Buffer.from('claims'), key.privateKey);
    expect(verify('sha256', Buffer.from('claims'), createPublicKey({ key: key.publicJwk, format: 'jwk' }), signed)).toBe(true);

    const unopened: unknown[] = [];
    const changed = new SigningKeyStore(dataSource, 'another passphrase entirely', (_message, extra) => unopened.push(extra.keyId));
    const successor = await changed.current();
    expect(successor.keyId).not.toBe(key.keyId);
    expect(unopened).toEqual([key.keyId]);
    expect((await changed.publicKeys()).map((jwk) => (jwk as { kid?: string }).kid)).toEqual([successor.keyId, key.keyId]);

    // A pod without the passphrase does not replace the encrypted keys with one in the clear.
    await expect(new SigningKeyStore(dataSource).current()).rejects.toThrow(/SSO_SIGNING_KEY_PASSPHRASE/);
    expect(await count('signing_keys')).toBe(2);
  });
});
