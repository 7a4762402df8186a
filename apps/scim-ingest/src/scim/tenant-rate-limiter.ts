/**
 * A token bucket per tenant: `ratePerSecond` sustained, `burst` at once. Azure AD sends at most
 * about 25 requests/s per provisioning job; the default leaves ample room and stops a runaway client
 * from starving the other tenants. Per process: with N pods a tenant gets up to N times the rate.
 */
export class TenantRateLimiter {
  private readonly buckets = new Map<string, { tokens: number; updated: number }>();

  constructor(
    private readonly ratePerSecond: number,
    private readonly burst: number,
    private readonly now: () => number = () => Date.now(),
  ) {}

  /** Takes one token; returns 0 when allowed, else the whole seconds to wait. */
  take(tenantId: string): number {
    const now = this.now();
    const bucket = this.buckets.get(tenantId) ?? { tokens: this.burst, updated: now };
    bucket.tokens = Math.min(this.burst, bucket.tokens + ((now - bucket.updated) / 1000) * this.ratePerSecond);
    bucket.updated = now;
    this.buckets.set(tenantId, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - bucket.tokens) / this.ratePerSecond));
  }
}
