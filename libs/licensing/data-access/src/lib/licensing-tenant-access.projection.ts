import { tenantAccessProjection } from '@identity/platform-tenancy';

/** Companies and admin tokens, so tenant admins can manage their licenses here. */
export const licensingTenantAccessProjection = tenantAccessProjection('licensing');
