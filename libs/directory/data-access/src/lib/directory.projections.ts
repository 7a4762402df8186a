import { tenantAccessProjection } from '@identity/platform-tenancy';

export { directorySitesProjection } from './sites.projection';

/** The directory's view of companies and admin tokens (applied inline by the tenant commands). */
export const directoryTenantsProjection = tenantAccessProjection('directory');
