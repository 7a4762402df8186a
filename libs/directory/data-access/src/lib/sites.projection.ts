import type { EntityManager } from 'typeorm';
import { TOPICS, type IntegrationEvent, type SiteCreatedData, type SiteRenamedData } from '@identity/contracts';
import type { Projection } from '@identity/platform-projections';

/** Sites with their current name and the names they had (applied inline by the site commands). */
export const directorySitesProjection: Projection = {
  name: 'directory.sites',
  schema: 'directory',
  topics: [TOPICS.directorySite.name],
  async apply(manager: EntityManager, event: IntegrationEvent): Promise<void> {
    if (event.eventType === 'SiteCreated') {
      const data = event.data as SiteCreatedData;
      await manager.query(
        `INSERT INTO directory.sites (site_id, tenant_id, name, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT (site_id) DO NOTHING`,
        [data.siteId, event.tenantId, data.name, event.occurredAt],
      );
    } else if (event.eventType === 'SiteRenamed') {
      const data = event.data as SiteRenamedData;
      await manager.query(`UPDATE directory.sites SET name = $2, renamed_at = $3 WHERE site_id = $1`, [data.siteId, data.newName, event.occurredAt]);
      await manager.query(
        `INSERT INTO directory.site_aliases (tenant_id, alias, site_id) VALUES ($1, $2, $3) ON CONFLICT (tenant_id, alias) DO NOTHING`,
        [event.tenantId, data.oldName, data.siteId],
      );
      // Renamed back to a former name: that name is its own again, not a former one. Exactly that
      // name: site names match exactly, so a rename in case alone keeps the old spelling as a former name.
      await manager.query(`DELETE FROM directory.site_aliases WHERE tenant_id = $1 AND site_id = $2 AND alias = $3`, [event.tenantId, data.siteId, data.newName]);
    }
  },
  async reset(manager: EntityManager): Promise<void> {
    await manager.query(`TRUNCATE directory.sites, directory.site_aliases`);
  },
};
