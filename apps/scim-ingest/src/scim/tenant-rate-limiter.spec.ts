import { TenantRateLimiter } from './tenant-rate-limiter';

describe('TenantRateLimiter', () => {
  it('allows the burst, then the rate, per tenant', () => {
    let now = 0;
    const limiter = new TenantRateLimiter(10, 3, () => now);
    expect([limiter.take('a'), limiter.take('a'), limiter.take('a')]).toEqual([0, 0, 0]);
    expect(limiter.take('a')).toBe(1);
    expect(limiter.take('b')).toBe(0);
    now += 100;
    expect(limiter.take('a')).toBe(0);
    expect(limiter.take('a')).toBeGreaterThan(0);
  });
});
