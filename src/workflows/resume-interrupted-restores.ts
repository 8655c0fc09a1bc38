import type { Case } from '../core/case.js';
import {
  RestoreFailedError,
  type CaseStore,
  type Clock,
  type Log,
  type Remediation,
} from './ports/index.js';

/**
 * A restore in flight longer than this was cut off by a crash or a lost connection: well past
 * what Graph's own retries (Retry-After up to minutes) can take for one call.
 */
export const INTERRUPTED_AFTER_MS = 15 * 60_000;

/**
 * Finishes restores a crash left in `restoring`: the claim committed but the outcome never did.
 * Re-adding is safe because "already a member" counts as success; the case then settles as the
 * approver decided, with the log saying it was completed later.
 */
export interface ResumeDeps {
  store: CaseStore;
  remediation: Remediation;
  log: Log;
  clock: Clock;
  onCaseChanged: () => void;
}

export async function resumeInterruptedRestores(deps: ResumeDeps): Promise<number> {
  const now = deps.clock.now().getTime();
  const stuck = (await deps.store.listCases({ status: 'restoring', limit: 50 })).filter(
    (c) => c.decision && now - Date.parse(c.decision.at) > INTERRUPTED_AFTER_MS,
  );
  for (const c of stuck) {
    try {
      await resume(deps, c);
    } catch (error) {
      deps.log.error(
        { err: error, caseId: c.id },
        'interrupted restore not resumed, next sweep retries',
      );
    }
  }
  return stuck.length;
}

async function resume(deps: ResumeDeps, c: Case): Promise<void> {
  const decision = c.decision;
  if (!decision) return;
  const entry = (
    result: 'restored' | 'restore-failed',
    detail: string,
    graphRequestId: string | null,
  ) => ({
    caseId: c.id,
    verb: c.restoreRequest ? ('confirm-restore' as const) : ('restore' as const),
    approverId: decision.by.id,
    approverName: decision.by.name,
    at: deps.clock.now().toISOString(),
    reason: decision.reason ?? null,
    caseVersion: c.version,
    graphRequestId,
    result,
    detail,
  });
  try {
    const { requestId } = await deps.remediation.addGroupMember(c.groupId, c.memberId);
    const settled = await deps.store.updateCase(c.id, c.version, {
      status: 'restored',
      decision: { ...decision, at: deps.clock.now().toISOString() },
      lastError: null,
      log: entry('restored', 'completed after the restore was interrupted', requestId),
    });
    if (settled) deps.log.warn({ caseId: c.id }, 'interrupted restore completed');
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    const reopened = await deps.store.updateCase(c.id, c.version, {
      status: c.restoreRequest ? 'restore-requested' : 'open',
      decision: null,
      lastError: `Restore by ${decision.by.name} was interrupted and failed: ${why}`,
      log: entry(
        'restore-failed',
        why,
        error instanceof RestoreFailedError ? error.requestId : null,
      ),
    });
    if (reopened) deps.log.error({ err: error, caseId: c.id }, 'interrupted restore failed');
  }
  deps.onCaseChanged();
}
