/** Dependency-injection tokens of what the runtime provides to every service module. */
export const SERVICE_CONFIG = Symbol('ServiceConfig');
export const SERVICE_INFRASTRUCTURE = Symbol('ServiceInfrastructure');
export const SERVICE_LOGGER = Symbol('ServiceLogger');
export const SERVICE_METRICS = Symbol('ServiceMetrics');
export const ADMIN_TOKEN_VERIFIER = Symbol('AdminTokenVerifier');

/** Finds the tenant an admin token belongs to, from its SHA-256 hash. */
export interface AdminTokenVerifier {
  tenantOfToken(tokenHash: string): Promise<string | null>;
  tenantExists(tenantId: string): Promise<boolean>;
}
