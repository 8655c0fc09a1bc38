import { backoffDelay, type BackoffPolicy } from '../core/backoff.js';
import type { Clock } from './ports/index.js';

/** A watched group Graph keeps refusing, and when GroupGuard asks again. */
export interface GroupTrouble {
  groupId: string;
  reason: 'deleted' | 'forbidden';
  detail: string;
  failures: number;
  nextTryAt: string;
}

/**
 * Watched groups that keep failing for good reasons (deleted: 404, forbidden: 403) are asked
 * again later and later instead of on every sweep. Kept per process: each replica backs off on
 * its own, and a restart asks once more.
 */
export interface GroupBackoff {
  isDue(groupId: string): boolean;
  failed(groupId: string, reason: GroupTrouble['reason'], detail: string): GroupTrouble;
  succeeded(groupId: string): void;
  troubled(): GroupTrouble[];
}

export const GROUP_BACKOFF: BackoffPolicy = { initialMs: 60_000, maxMs: 6 * 60 * 60_000 };

export function createGroupBackoff(
  clock: Clock,
  policy: BackoffPolicy = GROUP_BACKOFF,
  random: () => number = Math.random,
): GroupBackoff {
  const troubles = new Map<string, GroupTrouble>();
  return {
    isDue: (groupId) => {
      const trouble = troubles.get(groupId);
      return !trouble || Date.parse(trouble.nextTryAt) <= clock.now().getTime();
    },
    failed(groupId, reason, detail) {
      const failures = (troubles.get(groupId)?.failures ?? 0) + 1;
      const delay = backoffDelay(failures, policy, random());
      const trouble = {
        groupId,
        reason,
        detail,
        failures,
        nextTryAt: new Date(clock.now().getTime() + delay).toISOString(),
      };
      troubles.set(groupId, trouble);
      return trouble;
    },
    succeeded: (groupId) => {
      troubles.delete(groupId);
    },
    troubled: () => [...troubles.values()],
  };
}
