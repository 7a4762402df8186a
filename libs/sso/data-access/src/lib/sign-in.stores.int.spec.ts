import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { createDataSource, runMigrations } from '@identity/platform-event-store';
import { createTestDatabase } from '@identity/platform-testing';
import { ConsumedAssertions, PostgresAuthnRequestStore } from './sign-in.stores';
import { CreateSsoSchema1764461800000 } from './sso.migration';

describe('sign-in request IDs and replay records (real PostgreSQL)', () => {
  let dataSource: DataSource;
  const tenantId = randomUUID();

  beforeAll(async () => {
    dataSource = createDataSource({ url: await createTestDatabase(), migrations: [CreateSsoSchema1764461800000], poolSize: 2 });
    await dataSource.initialize();
    await runMigrations(dataSource);
  });

  afterAll(() => dataSource.destroy());

  const count = async (table: string) => Number((await dataSource.query(`SELECT count(*)::int AS n FROM sso.${table}`))[0].n);

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
});
