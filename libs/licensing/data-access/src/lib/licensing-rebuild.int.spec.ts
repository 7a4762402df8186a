import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { createDataSource, EVENT_STORE_MIGRATIONS, PostgresEventStore, publishAsIs, runMigrations } from '@identity/platform-event-store';
import { rebuildProjection } from '@identity/platform-projections';
import { createTestDatabase } from '@identity/platform-testing';
import { CreateLicensingLedger1764461600000 } from './licensing-ledger.migration';
import { licensingLedgerProjection } from './licensing-ledger.projection';
import { CreateLicensingSchema1764461000000 } from './licensing.migration';
import { ReservePhoneNumberPools1764462600000 } from './phone-number-pools.migration';
import { telephonyProfilesProjection } from './telephony.projections';
import { CreateLicensingTelephony1764461900000 } from './telephony.migration';

/**
 * The store lists events by the transaction that wrote them, and a transaction gets its id at its
 * first write, not at its commit: one that waited for a seat another user freed can sort before
 * the freeing one. A rebuild must still come to what the live path made.
 */
describe('licensing read-model rebuilds from a store whose order is not the commit order (real PostgreSQL)', () => {
  let dataSource: DataSource;
  let store: PostgresEventStore;
  const tenantId = randomUUID();

  beforeAll(async () => {
    dataSource = createDataSource({
      url: await createTestDatabase(),
      migrations: [...EVENT_STORE_MIGRATIONS, CreateLicensingSchema1764461000000, CreateLicensingLedger1764461600000, CreateLicensingTelephony1764461900000, ReservePhoneNumberPools1764462600000],
      poolSize: 4,
    });
    await dataSource.initialize();
    await runMigrations(dataSource);
    store = new PostgresEventStore(dataSource);
  });

  afterAll(() => dataSource.destroy());

  /** Appends one event to a stream (in live order); the transaction id it got, to reorder by. */
  async function append(streamType: string, streamId: string, type: string, data: Record<string, unknown>): Promise<string> {
    const version = (await store.readStream(streamId)).length;
    const metadata = { eventId: randomUUID(), tenantId, occurredAt: new Date().toISOString(), correlationId: 'test', causationId: 'test' };
    await store.appendToStream({ streamId, streamType, tenantId, expectedVersion: version, events: [{ type, data, schemaVersion: 1, metadata }] });
    const [{ transaction_id }] = await dataSource.query(`SELECT transaction_id::text FROM event_store.events WHERE event_id = $1`, [metadata.eventId]);
    return transaction_id as string;
  }

  /** Gives the transaction that committed later the id just below `before`'s, as one that started writing first would have. */
  async function sortBefore(laterCommitted: string, before: string): Promise<void> {
    await dataSource.query(`UPDATE event_store.events SET transaction_id = ($2::text::bigint - 1)::text::xid8 WHERE transaction_id = $1::xid8`, [laterCommitted, before]);
  }

  it('the ledger: a seat freed by one user and taken by another, with the plan full', async () => {
    const [leaver, joiner] = [randomUUID(), randomUUID()];
    await append('subscription', `subscription-${tenantId}`, 'SubscriptionPlanSet', { tenantId, plan: 'X4', seats: 1 });
    await append('license', `license-${leaver}`, 'LicenseAssigned', { userId: leaver, plan: 'X4' });
    const freed = await append('license', `license-${leaver}`, 'LicenseUnassigned', { userId: leaver, plan: 'X4' });
    const taken = await append('license', `license-${joiner}`, 'LicenseAssigned', { userId: joiner, plan: 'X4' });
    await sortBefore(taken, freed);

    await rebuildProjection(dataSource, licensingLedgerProjection, publishAsIs);
    expect(await dataSource.query(`SELECT plan, total, used FROM licensing.seats WHERE tenant_id = $1`, [tenantId])).toEqual([{ plan: 'X4', total: 1, used: 1 }]);
    expect(await dataSource.query(`SELECT user_id FROM licensing.user_licenses WHERE tenant_id = $1`, [tenantId])).toEqual([{ user_id: joiner }]);
  });

  it('telephony: an extension and a number one user released and another took', async () => {
    const [leaver, joiner] = [randomUUID(), randomUUID()];
    await dataSource.query(`INSERT INTO licensing.phone_numbers (tenant_id, number, imported_at) VALUES ($1, '+442079460000', now())`, [tenantId]);
    const telephony = (userId: string, type: string, data: Record<string, unknown>) => append('telephony', `telephony-${userId}`, type, { userId, ...data });
    await telephony(leaver, 'ExtensionAssigned', { extension: '2001', previousExtension: null });
    await telephony(leaver, 'PhoneNumberAssigned', { number: '+442079460000', previousNumber: null });
    const extensionFreed = await telephony(leaver, 'ExtensionReleased', { extension: '2001', reason: 'admin' });
    const numberFreed = await telephony(leaver, 'PhoneNumberReleased', { number: '+442079460000', reason: 'admin', quarantinedUntil: null });
    const extensionTaken = await telephony(joiner, 'ExtensionAssigned', { extension: '2001', previousExtension: null });
    const numberTaken = await telephony(joiner, 'PhoneNumberAssigned', { number: '+442079460000', previousNumber: null });
    await sortBefore(extensionTaken, extensionFreed);
    await sortBefore(numberTaken, numberFreed);

    await rebuildProjection(dataSource, telephonyProfilesProjection, publishAsIs);
    expect(await dataSource.query(`SELECT extension, user_id FROM licensing.extensions WHERE tenant_id = $1`, [tenantId])).toEqual([{ extension: '2001', user_id: joiner }]);
    expect(await dataSource.query(`SELECT user_id, quarantined_until FROM licensing.phone_numbers WHERE tenant_id = $1`, [tenantId])).toEqual([
      { user_id: joiner, quarantined_until: null },
    ]);
  });
});
