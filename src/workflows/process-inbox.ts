import { backoffDelay } from '../core/backoff.js';
import type { GroupBackoff } from './group-backoff.js';
import { GroupUnavailableError, type InboxStore } from './ports/index.js';
import { noteGroupFailure } from './sweep-groups.js';
import { syncGroup, type SyncGroupDeps } from './sync-group.js';

const LEASE_MS = 60_000;
const RETRY = { initialMs: 2_000, maxMs: 60_000 };

/**
 * Claims persisted notifications, syncs each group they name once, and deletes them only when
 * the sync committed; a failure gives them back after a delay, a crash when the lease runs out.
 * A group Graph refuses (deleted, forbidden) backs off instead: its notifications are dropped
 * and the sweep asks again when the backoff is due.
 */
export async function processInbox(
  deps: SyncGroupDeps & { store: InboxStore; groupBackoff?: GroupBackoff },
  limit = 25,
): Promise<number> {
  const items = await deps.store.claimInbox(limit, LEASE_MS);
  if (items.length === 0) return 0;
  const byGroup = new Map<string, number[]>();
  const attempts = new Map<string, number>();
  for (const item of items) {
    byGroup.set(item.groupId, [...(byGroup.get(item.groupId) ?? []), item.id]);
    attempts.set(item.groupId, Math.max(attempts.get(item.groupId) ?? 0, item.attempts));
  }
  for (const [groupId, ids] of byGroup) {
    if (deps.groupBackoff && !deps.groupBackoff.isDue(groupId)) {
      await deps.store.deleteInbox(ids);
      continue;
    }
    try {
      await syncGroup(deps, groupId, 'notification');
      deps.groupBackoff?.succeeded(groupId);
      await deps.store.deleteInbox(ids);
    } catch (error) {
      if (error instanceof GroupUnavailableError && deps.groupBackoff) {
        noteGroupFailure(deps, groupId, error);
        await deps.store.deleteInbox(ids);
        continue;
      }
      const delay = backoffDelay(attempts.get(groupId) ?? 1, RETRY, Math.random());
      deps.log.error(
        { err: error, groupId, delayMs: delay },
        'group sync failed, notification kept for retry',
      );
      await deps.store.releaseInbox(ids, delay);
    }
  }
  return items.length;
}
