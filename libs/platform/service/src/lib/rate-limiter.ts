/**
 * A token bucket per key (a tenant, a client address): `ratePerSecond` sustained, `burst` at once.
 * Per process: with N pods a key gets up to N times the rate. At most `maxKeys` buckets are kept, so
 * that callers inventing keys cannot grow it without bound: full buckets go first (forgetting them
 * changes nothing), then the longest idle.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; updated: number }>();

  constructor(
    private readonly ratePerSecond: number,
    private readonly burst: number,
    private readonly now: () => number = () => Date.now(),
    private readonly maxKeys = 100_000,
  ) {}

  /** Takes one token; returns 0 when allowed, else the whole seconds to wait. */
  take(key: string): number {
    const now = this.now();
    let bucket = this.buckets.get(key);
    if (bucket) this.buckets.delete(key); // re-inserted below: the map stays in order of last use
    else if (this.buckets.size >= this.maxKeys) this.forget(now);
    bucket ??= { tokens: this.burst, updated: now };
    bucket.tokens = Math.min(this.burst, bucket.tokens + ((now - bucket.updated) / 1000) * this.ratePerSecond);
    bucket.updated = now;
    this.buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - bucket.tokens) / this.ratePerSecond));
  }

  get size(): number {
    return this.buckets.size;
  }

  private forget(now: number): void {
    const refilledAfterMs = (this.burst / this.ratePerSecond) * 1000;
    for (const [key, bucket] of this.buckets) if (now - bucket.updated >= refilledAfterMs) this.buckets.delete(key);
    // Least recently used first.
    for (const key of this.buckets.keys()) {
      if (this.buckets.size < this.maxKeys) break;
      this.buckets.delete(key);
    }
  }
}
