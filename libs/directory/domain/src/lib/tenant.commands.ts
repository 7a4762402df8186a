export type TenantCommand =
  | { type: 'CreateTenant'; tenantId: string; name: string; firstToken: { tokenId: string; tokenHash: string } }
  | { type: 'IssueAdminToken'; tenantId: string; tokenId: string; tokenHash: string; label: string }
  | { type: 'RevokeAdminToken'; tenantId: string; tokenId: string };
