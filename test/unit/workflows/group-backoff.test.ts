import { createGroupBackoff } from '../../../src/workflows/group-backoff';

describe('group backoff', () => {
  let now = Date.parse('2026-12-02T18:00:00Z');
  const clock = { now: () => new Date(now) };
  const policy = { initialMs: 60_000, maxMs: 600_000 };

  it('waits longer after each failure, up to the maximum, and forgets a group that answers again', () => {
    const backoff = createGroupBackoff(clock, policy, () => 0.999999);
    expect(backoff.isDue('g')).toBe(true);
    const waits: number[] = [];
    for (let i = 0; i < 6; i++) {
      const trouble = backoff.failed('g', 'deleted', 'Graph answered 404');
      const wait = Date.parse(trouble.nextTryAt) - now;
      waits.push(wait);
      expect(backoff.isDue('g')).toBe(false);
      now += wait - 1;
      expect(backoff.isDue('g')).toBe(false);
      now += 1;
      expect(backoff.isDue('g')).toBe(true);
    }
    expect(waits).toEqual([60_000, 120_000, 240_000, 480_000, 600_000, 600_000]);
    expect(backoff.troubled()).toEqual([
      expect.objectContaining({ groupId: 'g', reason: 'deleted', failures: 6 }),
    ]);
    backoff.succeeded('g');
    expect(backoff.troubled()).toEqual([]);
    expect(backoff.failed('g', 'forbidden', 'Graph answered 403').failures).toBe(1);
  });
});
