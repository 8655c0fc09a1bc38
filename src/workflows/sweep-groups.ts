import type { GroupBackoff } from './group-backoff.js';
import { GroupUnavailableError, type CaseStore, type Log } from './ports/index.js';
import { resumeInterruptedRestores, type ResumeDeps } from './resume-interrupted-restores.js';
import { syncGroup, type SyncGroupDeps } from './sync-group.js';

/** `onCaseChanged` is called when the sweep opened or settled cases, so their cards go out at once. */
export type SweepDeps = SyncGroupDeps &
  ResumeDeps & { store: CaseStore; groupBackoff?: GroupBackoff };

/**
 * Runs groups delta for every watched group whether or not a notification came: Graph drops
 * notifications and never tells groups about it, so this bounds how late a case can be. Then
 * finishes restores a crash cut off. One replica sweeps at a time. A periodic round skips while
 * another runs; a sweep an event asked for (lifecycle, new subscription) waits its turn, since a
 * round already under way may have passed the groups that changed. A group Graph keeps
 * refusing (deleted, forbidden) is skipped until its backoff is due. Returns 1 when it swept.
 */
export async function sweepGroups(
  deps: SweepDeps,
  groupIds: Iterable<string>,
  reason: 'periodic' | 'event',
): Promise<number> {
  const result = await deps.store.withLock('sweep', reason === 'event', async () => {
    let opened = 0;
    for (const groupId of groupIds) {
      if (deps.groupBackoff && !deps.groupBackoff.isDue(groupId)) continue;
      try {
        opened += (await syncGroup(deps, groupId, 'sweep')).opened.length;
        deps.groupBackoff?.succeeded(groupId);
      } catch (error) {
        noteGroupFailure(deps, groupId, error);
      }
    }
    return opened;
  });
  if (result.locked && result.value > 0) deps.onCaseChanged();
  await deps.store.withLock('resume-restores', false, () => resumeInterruptedRestores(deps));
  return result.locked ? 1 : 0;
}

/** Deleted and forbidden groups back off; anything else is retried by the next sweep. */
export function noteGroupFailure(
  deps: { log: Log; groupBackoff?: GroupBackoff },
  groupId: string,
  error: unknown,
): void {
  if (error instanceof GroupUnavailableError && deps.groupBackoff) {
    const trouble = deps.groupBackoff.failed(groupId, error.reason, error.message);
    deps.log.warn(
      { groupId, reason: trouble.reason, failures: trouble.failures, nextTryAt: trouble.nextTryAt },
      'watched group unavailable in Graph, backing off',
    );
    return;
  }
  deps.log.error({ err: error, groupId }, 'sweep of group failed, next sweep retries');
}
