import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { createDataSource, runMigrations } from '@identity/platform-event-store';
import { signEs256Jwt } from '@identity/platform-service';
import { createTestDatabase } from '@identity/platform-testing';
import { SigningKeyStore, SSO_MIGRATIONS, type SessionRecord } from '@identity/sso-data-access';
import { AccessTokens } from './access-tokens';

describe('SSO access tokens (keys in real PostgreSQL)', () => {
  let dataSource: DataSource;
  let keys: SigningKeyStore;
  const origin = 'https://sso.example.test';
  const issuer = `${origin}/saml2`;

  beforeAll(async () => {
    dataSource = createDataSource({ url: await createTestDatabase(), migrations: SSO_MIGRATIONS, poolSize: 2 });
    await dataSource.initialize();
    await runMigrations(dataSource);
    keys = new SigningKeyStore(dataSource);
  });

  afterAll(() => dataSource.destroy());

  const session = (): SessionRecord => ({
    sessionId: randomUUID(),
    tenantId: randomUUID(),
    userId: randomUUID(),
    userName: 'adele.vance@contoso.example',
    createdAt: new Date(),
    expiresAt: new Date(Date.now() + 3_600_000),
    lastActiveAt: new Date(),
    revokedAt: null,
    revokedReason: null,
    consoleAdmin: false,
  });

  /** A token signed with our current key, as another deployment or an older release of ours would have made it. */
  const signed = async (claims: Record<string, unknown>) => {
    const key = await keys.current();
    return signEs256Jwt({ iss: issuer, sub: 'u', tid: 't', sid: 's', name: 'n', iat: 0, exp: Math.floor(Date.now() / 1000) + 60, jti: randomUUID(), ...claims }, key.privateKey, key.keyId);
  };

  it('names the platform as audience and each token apart, and verifies only those for this audience', async () => {
    const tokens = new AccessTokens(keys, issuer, origin, 300);
    const first = await tokens.issue(session());
    const second = await tokens.issue(session());
    const claims = await tokens.verify(first.accessToken);
    expect(claims).toMatchObject({ iss: issuer, aud: origin, jti: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    expect((await tokens.verify(second.accessToken))!.jti).not.toBe(claims!.jti);

    expect(await tokens.verify(await signed({ aud: 'https://other.example.test' }))).toBeNull();
    expect(await new AccessTokens(keys, issuer, 'https://other.example.test', 300).verify(first.accessToken)).toBeNull();
    // Issued before tokens named an audience: taken until it expires.
    expect(await tokens.verify(await signed({}))).toMatchObject({ iss: issuer });
  });
});
