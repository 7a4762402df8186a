import { RateLimiter } from './rate-limiter';

describe('RateLimiter', () => {
  it('allows the burst, then the rate, per key', () => {
    let now = 0;
    const limiter = new RateLimiter(10, 3, () => now);
    expect([limiter.take('a'), limiter.take('a'), limiter.take('a')]).toEqual([0, 0, 0]);
    expect(limiter.take('a')).toBe(1);
    expect(limiter.take('b')).toBe(0);
    now += 100;
    expect(limiter.take('a')).toBe(0);
    expect(limiter.take('a')).toBeGreaterThan(0);
  });

  it('keeps at most maxKeys buckets, forgetting full ones first, then the least recently used', () => {
    let now = 0;
    const limiter = new RateLimiter(1, 2, () => now, 3);
    limiter.take('spent');
    limiter.take('spent');
    expect(limiter.take('spent')).toBe(1);
    now += 100;
    for (const key of ['x', 'y', 'z', 'w']) limiter.take(key);
    expect(limiter.size).toBeLessThanOrEqual(3);
    // Invented keys pushed out the idle ones, not the bucket that was just used.
    expect(limiter.take('w')).toBe(0);
    expect(limiter.take('w')).toBe(1);
    now += 10_000;
    for (let index = 0; index < 100; index++) limiter.take(`k${index}`);
    expect(limiter.size).toBe(3);
  });
});
