import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { createDataSource, runMigrations } from '@identity/platform-event-store';
import { createTestDatabase } from '@identity/platform-testing';
import { ProvisioningLogWriter, type ProvisioningLogEntry } from './provisioning-log.writer';
import { CreateScimSchema1764461200000 } from './scim.migration';
import { AddScimLogByUser1764462300000 } from './scim-site-names.migration';

describe('the provisioning log writer (real PostgreSQL)', () => {
  let dataSource: DataSource;

  beforeAll(async () => {
    dataSource = createDataSource({ url: await createTestDatabase(), migrations: [CreateScimSchema1764461200000, AddScimLogByUser1764462300000], poolSize: 2 });
    await dataSource.initialize();
    await runMigrations(dataSource);
  });

  afterAll(() => dataSource.destroy());

  const entry = (tenantId: string, overrides: Partial<ProvisioningLogEntry> = {}): ProvisioningLogEntry => ({
    tenantId,
    at: new Date(),
    method: 'POST',
    path: `/scim/v2/${tenantId}/Users`,
    operation: 'Create user',
    resourceType: 'User',
    resourceId: null,
    userName: 'adele@contoso.com',
    status: 201,
    errorType: null,
    errorDetail: null,
    durationMs: 3,
    correlationId: randomUUID(),
    ...overrides,
  });

  it('stores a line holding a NUL or half a surrogate pair, and the lines of other tenants batched with it', async () => {
    const errors: unknown[] = [];
    const writer = new ProvisioningLogWriter(dataSource, (error) => errors.push(error), 10_000);
    const [mine, theirs] = [randomUUID(), randomUUID()];
    writer.record(entry(mine, { status: 400, errorType: 'invalidValue', errorDetail: 'title "a\u0000b" \ud800', userName: 'nul\u0000@contoso.com' }));
    writer.record(entry(theirs));
    await writer.flush();
    expect(errors).toEqual([]);
    const rows = (await dataSource.query(`SELECT tenant_id, user_name, error_detail FROM scim.provisioning_log WHERE tenant_id = ANY($1::uuid[]) ORDER BY status DESC`, [
      [mine, theirs],
    ])) as { tenant_id: string; user_name: string; error_detail: string | null }[];
    expect(rows).toEqual([
      { tenant_id: mine, user_name: 'nul\ufffd@contoso.com', error_detail: 'title "a\ufffdb" \ufffd' },
      { tenant_id: theirs, user_name: 'adele@contoso.com', error_detail: null },
    ]);
  });
});
