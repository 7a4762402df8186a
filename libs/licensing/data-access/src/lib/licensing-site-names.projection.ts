import type { EntityManager } from 'typeorm';
import { TOPICS, type IntegrationEvent, type SiteCreatedData, type SiteRenamedData } from '@identity/contracts';
import type { Projection } from '@identity/platform-projections';

/**
 * Sites' current names. A user's SiteAssigned carries the name of that moment; after a rename the
 * name here wins, so an auto-assignment rule on the new name matches the site's users.
 */
export const licensingSiteNamesProjection: Projection = {
  name: 'licensing.site-names',
  schema: 'licensing',
  topics: [TOPICS.directorySite.name],
  async apply(manager: EntityManager, event: IntegrationEvent): Promise<void> {
    if (event.eventType !== 'SiteCreated' && event.eventType !== 'SiteRenamed') return;
    const data = event.data as SiteCreatedData | SiteRenamedData;
    await manager.query(
      `INSERT INTO licensing.site_names (site_id, tenant_id, name) VALUES ($1, $2, $3) ON CONFLICT (site_id) DO UPDATE SET name = excluded.name`,
      [data.siteId, event.tenantId, 'newName' in data ? data.newName : data.name],
    );
  },
  async reset(manager: EntityManager): Promise<void> {
    await manager.query(`TRUNCATE licensing.site_names`);
  },
};
