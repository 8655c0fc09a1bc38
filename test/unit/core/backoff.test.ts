import { backoffDelay, parseRetryAfter } from '../../../src/core/backoff';

const policy = { initialMs: 500, maxMs: 60_000 };

describe('backoffDelay', () => {
  it('doubles the ceiling with each attempt, from half of it to all of it', () => {
    expect(backoffDelay(1, policy, 0)).toBe(250);
    expect(backoffDelay(1, policy, 0.999999)).toBe(500);
    expect(backoffDelay(2, policy, 0)).toBe(500);
    expect(backoffDelay(3, policy, 0.5)).toBe(1_500);
  });

  it('never grows past the maximum, however many attempts', () => {
    expect(backoffDelay(8, policy, 0.999999)).toBe(60_000);
    expect(backoffDelay(1_000, policy, 0)).toBe(30_000);
    expect(backoffDelay(Number.MAX_SAFE_INTEGER, policy, 1)).toBe(60_000);
  });

  it('spreads retriers out: different random draws give different delays', () => {
    const delays = new Set([0, 0.25, 0.5, 0.75].map((r) => backoffDelay(4, policy, r)));
    expect(delays.size).toBe(4);
  });

  it('waits at least as long as Retry-After asks, even past the maximum', () => {
    expect(backoffDelay(1, policy, 0, 2_128)).toBe(2_128);
    expect(backoffDelay(1, policy, 0, 120_000)).toBe(120_000);
    expect(backoffDelay(10, policy, 1, 10)).toBe(60_000);
  });

  it('treats a nonsense attempt or random value as the first try within bounds', () => {
    expect(backoffDelay(0, policy, -5)).toBe(250);
    expect(backoffDelay(-3, policy, 7)).toBe(500);
  });
});

describe('parseRetryAfter', () => {
  const now = new Date('2026-12-02T18:00:00Z');

  it('reads delta-seconds, including the fractions Graph sends (throttling docs: "Retry-After: 2.128")', () => {
    expect(parseRetryAfter('2.128', now)).toBe(2_128);
    expect(parseRetryAfter(' 30 ', now)).toBe(30_000);
  });

  it('reads an HTTP date as the time left until then', () => {
    expect(parseRetryAfter('Wed, 02 Dec 2026 18:01:00 GMT', now)).toBe(60_000);
    expect(parseRetryAfter('Wed, 02 Dec 2026 17:00:00 GMT', now)).toBe(0);
  });

  it('is null when absent or unreadable', () => {
    expect(parseRetryAfter(undefined, now)).toBeNull();
    expect(parseRetryAfter('', now)).toBeNull();
    expect(parseRetryAfter('soon', now)).toBeNull();
  });
});
