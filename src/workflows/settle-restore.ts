import type { Case, Person } from '../core/case.js';
import {
  RestoreFailedError,
  type CaseStore,
  type Clock,
  type DecisionLogEntry,
  type Log,
  type Remediation,
} from './ports/index.js';

export interface RestoreDeps {
  store: CaseStore;
  remediation: Remediation;
  log: Log;
  clock: Clock;
  /** Called after every committed change so the card catches up at once. */
  onCaseChanged: () => void;
}

/**
 * A restore an approver decided, claimed on the case (status `restoring`) before Graph is
 * called: concurrent clicks lose on the claim, never on Graph. A decision makes one; recovery
 * reads one back from a case a crash left in `restoring`.
 */
export interface RestoreClaim {
  /** The case as the claim left it; settling compares against its version. */
  case: Case;
  verb: 'restore' | 'confirm-restore';
  by: Person;
  reason: string | null;
}

export type RestoreOutcome =
  { kind: 'restored'; case: Case } | { kind: 'failed'; case: Case; reason: string };

/** Claims the case for a restore (compare-and-set on its version); null when it moved first. */
export async function claimRestore(
  deps: RestoreDeps,
  c: Case,
  decision: Omit<RestoreClaim, 'case'>,
): Promise<RestoreClaim | null> {
  const claimed = await deps.store.updateCase(c.id, c.version, {
    status: 'restoring',
    decision: {
      verb: 'restore',
      by: decision.by,
      at: deps.clock.now().toISOString(),
      reason: decision.reason,
    },
    lastError: null,
  });
  if (!claimed) return null;
  deps.onCaseChanged();
  return { ...decision, case: claimed };
}

/** The claim a case in `restoring` carries, or null when it carries none. */
export function claimOf(c: Case): RestoreClaim | null {
  if (c.status !== 'restoring' || !c.decision) return null;
  return {
    case: c,
    // Only a confirmed four-eyes restore keeps its request while restoring.
    verb: c.restoreRequest ? 'confirm-restore' : 'restore',
    by: c.decision.by,
    reason: c.decision.reason ?? null,
  };
}

/**
 * Adds the member back through Graph and settles the claim with a decision-log record: restored,
 * or back where it was before the claim with the error on the card (a confirmed four-eyes
 * restore keeps its request, so a second try needs no new first click). Re-adding is safe:
 * "already a member" counts as success. `resumed` marks recovery after an interruption.
 */
export async function settleRestore(
  deps: RestoreDeps,
  claim: RestoreClaim,
  options: { resumed: boolean } = { resumed: false },
): Promise<RestoreOutcome> {
  const { case: c, by } = claim;
  const entry = (
    result: 'restored' | 'restore-failed',
    detail: string | null,
    graphRequestId: string | null,
  ): DecisionLogEntry => ({
    caseId: c.id,
    verb: claim.verb,
    approverId: by.id,
    approverName: by.name,
    at: deps.clock.now().toISOString(),
    reason: claim.reason,
    caseVersion: c.version,
    graphRequestId,
    result,
    detail,
  });
  const logged = { caseId: c.id, verb: claim.verb, approver: by.id, resumed: options.resumed };

  let requestId: string | null;
  try {
    ({ requestId } = await deps.remediation.addGroupMember(c.groupId, c.memberId));
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    const reopened = await deps.store.updateCase(c.id, c.version, {
      status: c.restoreRequest ? 'restore-requested' : 'open',
      decision: null,
      lastError: options.resumed
        ? `Restore by ${by.name} was interrupted and failed: ${why}`
        : `Restore by ${by.name} failed: ${why}`,
      log: entry(
        'restore-failed',
        why,
        error instanceof RestoreFailedError ? error.requestId : null,
      ),
    });
    if (reopened) {
      deps.log.error({ err: error, ...logged }, 'restore failed');
      deps.onCaseChanged();
    }
    return { kind: 'failed', case: reopened ?? c, reason: why };
  }
  const restored = await deps.store.updateCase(c.id, c.version, {
    status: 'restored',
    decision: { verb: 'restore', by, at: deps.clock.now().toISOString(), reason: claim.reason },
    lastError: null,
    log: entry(
      'restored',
      options.resumed ? 'completed after the restore was interrupted' : null,
      requestId,
    ),
  });
  if (restored) {
    deps.log.info({ ...logged, graphRequestId: requestId }, 'member restored');
    deps.onCaseChanged();
  }
  return { kind: 'restored', case: restored ?? c };
}
