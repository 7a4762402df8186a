import type { EntityManager } from 'typeorm';
import { TOPICS, type IntegrationEvent, type LicenseAssignedData } from '@identity/contracts';
import type { Projection } from '@identity/platform-projections';

/** Which plan each user holds, for the admin user list; kept apart so license and user events may arrive in any order. */
export const directoryLicensesProjection: Projection = {
  name: 'directory.licenses',
  schema: 'directory',
  topics: [TOPICS.licensingLicense.name],
  async apply(manager: EntityManager, event: IntegrationEvent): Promise<void> {
    const { userId, plan } = event.data as LicenseAssignedData;
    if (event.eventType === 'LicenseAssigned') {
      await manager.query(
        `INSERT INTO directory.user_licenses (user_id, tenant_id, plan, assigned_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (user_id) DO UPDATE SET plan = excluded.plan, assigned_at = excluded.assigned_at`,
        [userId, event.tenantId, plan, event.occurredAt],
      );
    } else if (event.eventType === 'LicenseUnassigned') {
      await manager.query(`DELETE FROM directory.user_licenses WHERE user_id = $1 AND plan = $2`, [userId, plan]);
    }
  },
  async reset(manager: EntityManager): Promise<void> {
    await manager.query(`TRUNCATE directory.user_licenses`);
  },
};
