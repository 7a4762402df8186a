/** Stored events of the Tenant aggregate (stream `tenant-<uuid>`). Published as is, see the contracts. */
export type TenantEvent =
  | { type: 'TenantCreated'; data: { tenantId: string; name: string } }
  | { type: 'TenantAdminTokenIssued'; data: { tenantId: string; tokenId: string; tokenHash: string; label: string } }
  | { type: 'TenantAdminTokenRevoked'; data: { tenantId: string; tokenId: string } };
