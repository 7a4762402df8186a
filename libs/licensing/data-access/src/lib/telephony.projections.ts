import type { EntityManager } from 'typeorm';
import { TOPICS, type ExtensionAssignedData, type IntegrationEvent, type PhoneNumberAssignedData, type PhoneNumberReleasedData } from '@identity/contracts';
import type { TelephonySettingsEvent } from '@identity/licensing-domain';
import { returnedRows } from '@identity/platform-event-store';
import type { Projection } from '@identity/platform-projections';

/** Settings and number pools (private events), written in the transaction that changes them. */
export const telephonySettingsProjection: Projection = {
  name: 'licensing.telephony-settings',
  schema: 'licensing',
  topics: [],
  privateStreams: ['telephony-settings'],
  async apply(manager: EntityManager, envelope: IntegrationEvent): Promise<void> {
    const event = { type: envelope.eventType, data: envelope.data } as TelephonySettingsEvent;
    if (event.type === 'PhoneNumbersImported') {
      await manager.query(
        `INSERT INTO licensing.phone_numbers (tenant_id, number, imported_at) SELECT $1, unnest($2::text[]), $3 ON CONFLICT DO NOTHING`,
        [event.data.tenantId, event.data.numbers, envelope.occurredAt],
      );
      return;
    }
    const { tenantId, extensionPlan: plan, autoAssignExtension, autoAssignNumber, quarantineDays } = event.data;
    await manager.query(
      `INSERT INTO licensing.telephony_settings (tenant_id, extension_length, range_start, range_end, auto_assign_extension, auto_assign_number, quarantine_days, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (tenant_id) DO UPDATE SET extension_length = excluded.extension_length, range_start = excluded.range_start, range_end = excluded.range_end,
         auto_assign_extension = excluded.auto_assign_extension, auto_assign_number = excluded.auto_assign_number, quarantine_days = excluded.quarantine_days,
         updated_at = excluded.updated_at`,
      [tenantId, plan?.length ?? null, plan?.rangeStart ?? null, plan?.rangeEnd ?? null, autoAssignExtension, autoAssignNumber, quarantineDays, envelope.occurredAt],
    );
  },
  // A number someone holds or that sits out its quarantine is licensing.telephony-profiles' state in
  // the same row: it stays, and the replayed import finds it there. Only idle pool rows go.
  async reset(manager: EntityManager): Promise<void> {
    await manager.query(`TRUNCATE licensing.telephony_settings`);
    await manager.query(`DELETE FROM licensing.phone_numbers WHERE user_id IS NULL AND quarantined_until IS NULL`);
  },
};

/**
 * Who holds which extension and number, written in the assigning transaction (the next free one is
 * read from here). A release only ever touches what the releasing user holds; a replay lets an
 * assignment take an extension whose release by its former holder the store lists after it (they
 * committed in the other order, as the reservation made them).
 */
export const telephonyProfilesProjection: Projection = {
  name: 'licensing.telephony-profiles',
  schema: 'licensing',
  topics: [TOPICS.licensingTelephony.name],
  apply: (manager, event) => applyTelephonyEvent(manager, event, true),
  async replay(manager: EntityManager, events: readonly IntegrationEvent[]): Promise<void> {
    for (const event of events) await applyTelephonyEvent(manager, event, false);
  },
  async reset(manager: EntityManager): Promise<void> {
    await manager.query(`TRUNCATE licensing.extensions`);
    await manager.query(`UPDATE licensing.phone_numbers SET user_id = NULL, quarantined_until = NULL`);
  },
};

async function applyTelephonyEvent(manager: EntityManager, event: IntegrationEvent, checked: boolean): Promise<void> {
  switch (event.eventType) {
    case 'ExtensionAssigned': {
      const data = event.data as ExtensionAssignedData;
      await manager.query(`DELETE FROM licensing.extensions WHERE user_id = $1`, [data.userId]);
      await manager.query(
        `INSERT INTO licensing.extensions (tenant_id, extension, user_id) VALUES ($1, $2, $3)${checked ? '' : ' ON CONFLICT (tenant_id, extension) DO UPDATE SET user_id = excluded.user_id'}`,
        [event.tenantId, data.extension, data.userId],
      );
      return;
    }
    case 'ExtensionReleased':
      await manager.query(`DELETE FROM licensing.extensions WHERE user_id = $1`, [event.aggregateId]);
      return;
    case 'PhoneNumberAssigned': {
      const data = event.data as PhoneNumberAssignedData;
      await manager.query(`UPDATE licensing.phone_numbers SET user_id = NULL WHERE user_id = $1`, [data.userId]);
      await manager.query(`UPDATE licensing.phone_numbers SET user_id = $3, quarantined_until = NULL WHERE tenant_id = $1 AND number = $2`, [event.tenantId, data.number, data.userId]);
      return;
    }
    case 'PhoneNumberReleased': {
      const data = event.data as PhoneNumberReleasedData;
      await manager.query(`UPDATE licensing.phone_numbers SET user_id = NULL, quarantined_until = $3 WHERE tenant_id = $1 AND number = $2 AND user_id = $4`, [
        event.tenantId,
        data.number,
        data.quarantinedUntil,
        data.userId,
      ]);
      return;
    }
  }
}

/**
 * Whether the number sits out a quarantine, read in the transaction that assigns it: a deleted
 * user's release that committed after the assignment first looked is seen here, and one in flight
 * is waited for (the row is held until this transaction ends).
 */
export async function inQuarantineUntilCommit(manager: EntityManager, tenantId: string, number: string): Promise<boolean> {
  const rows = returnedRows<{ quarantined: boolean | null }>(
    await manager.query(`SELECT quarantined_until > now() AS quarantined FROM licensing.phone_numbers WHERE tenant_id = $1 AND number = $2 FOR SHARE`, [tenantId, number]),
  );
  return rows[0]?.quarantined === true;
}
