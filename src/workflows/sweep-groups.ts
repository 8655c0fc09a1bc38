import type { SyncGroupDeps } from './sync-group.js';
import { syncGroup } from './sync-group.js';

/**
 * Runs groups delta for every watched group whether or not a notification came: Graph drops
 * notifications and never tells groups about it, so this bounds how late a case can be.
 * One replica sweeps at a time. A periodic round skips while another runs; a sweep an event asked
 * for (lifecycle, new subscription) waits its turn, since a round already under way may have
 * passed the groups that changed.
 */
export async function sweepGroups(
  deps: SyncGroupDeps,
  groupIds: Iterable<string>,
  reason: 'periodic' | 'event',
): Promise<{ swept: boolean; opened: number }> {
  const result = await deps.store.withLock('sweep', reason === 'event', async () => {
    let opened = 0;
    for (const groupId of groupIds) {
      try {
        opened += (await syncGroup(deps, groupId, 'sweep')).opened.length;
      } catch (error) {
        deps.log.error({ err: error, groupId }, 'sweep of group failed, next sweep retries');
      }
    }
    return opened;
  });
  return result.locked ? { swept: true, opened: result.value } : { swept: false, opened: 0 };
}
