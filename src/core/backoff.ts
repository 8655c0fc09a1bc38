/** How long to wait between tries of one thing: exponential, capped, jittered. */
export interface BackoffPolicy {
  /** The ceiling of the first retry's delay. */
  initialMs: number;
  /** The ceiling never grows past this (Retry-After may still ask for longer). */
  maxMs: number;
}

/**
 * The delay before retry number `attempt` (1 = the first retry). "Equal jitter": half the
 * ceiling for sure, the other half by `random` (0 ≤ random < 1), so many retriers spread out
 * yet none retries at once. A server's Retry-After is a floor: Graph and Teams count a request
 * sent earlier as another throttled one.
 */
export function backoffDelay(
  attempt: number,
  policy: BackoffPolicy,
  random: number,
  retryAfterMs: number | null = null,
): number {
  const exponent = Math.max(0, Math.min(Math.floor(attempt) - 1, 30));
  const ceiling = Math.min(policy.maxMs, policy.initialMs * 2 ** exponent);
  const jittered = Math.round(ceiling / 2 + (ceiling / 2) * Math.min(Math.max(random, 0), 1));
  return Math.max(jittered, retryAfterMs ?? 0);
}

/**
 * A Retry-After header in milliseconds: delta-seconds (Graph sends fractions, e.g. "2.128") or
 * an HTTP date. Null when absent or unreadable.
 */
export function parseRetryAfter(value: string | null | undefined, now: Date): number | null {
  if (value == null || value.trim() === '') return null;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? null : Math.max(0, at - now.getTime());
}
