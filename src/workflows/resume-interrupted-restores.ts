import { claimOf, settleRestore, type RestoreDeps } from './settle-restore.js';

/**
 * A restore in flight longer than this was cut off by a crash or a lost connection: well past
 * what Graph's own retries (Retry-After up to minutes) can take for one call.
 */
export const INTERRUPTED_AFTER_MS = 15 * 60_000;

export type ResumeDeps = RestoreDeps;

/**
 * Finishes restores a crash left in `restoring`: the claim committed but the outcome never did.
 * The claim is settled the way a decision settles it, with the log saying it completed later.
 */
export async function resumeInterruptedRestores(deps: ResumeDeps): Promise<number> {
  const now = deps.clock.now().getTime();
  const stuck = (await deps.store.listCases({ status: 'restoring', limit: 50 })).filter(
    (c) => c.decision && now - Date.parse(c.decision.at) > INTERRUPTED_AFTER_MS,
  );
  for (const c of stuck) {
    const claim = claimOf(c);
    if (!claim) continue;
    try {
      await settleRestore(deps, claim, { resumed: true });
    } catch (error) {
      deps.log.error(
        { err: error, caseId: c.id },
        'interrupted restore not resumed, next sweep retries',
      );
    }
  }
  return stuck.length;
}
