import type { Case, Person } from '../core/case.js';
import {
  RestoreFailedError,
  type CaseStore,
  type Clock,
  type DecisionLogEntry,
  type DecisionRecord,
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

/**
 * What the channel is told about a failed restore: a fixed phrase per kind of failure. Graph's
 * own text can quote directory data and goes only to the log and the decision log.
 */
export function failurePhrase(error: unknown): string {
  const status = error instanceof RestoreFailedError ? error.status : null;
  const phrase =
    status === null
      ? 'Microsoft Graph could not be reached.'
      : status === 429
        ? 'Microsoft Graph kept throttling GroupGuard (HTTP 429). Try again later.'
        : status === 401 || status === 403
          ? `Microsoft Graph did not allow GroupGuard to change this group (HTTP ${status}).`
          : status === 404
            ? 'The member or the group no longer exists in the directory (HTTP 404).'
            : status >= 500
              ? `Microsoft Graph failed (HTTP ${status}). Try again later.`
              : `Microsoft Graph refused the change (HTTP ${status}).`;
  return `${phrase} Details are in GroupGuard's log.`;
}

/** What a claim record says is restored; recovery compares it with the case row. */
export function claimDetail(c: Pick<Case, 'groupId' | 'memberId'>): string {
  return `add member ${c.memberId.toLowerCase()} to group ${c.groupId.toLowerCase()}`;
}

/**
 * Claims the case for a restore (compare-and-set on its version), with the claim's decision-log
 * record in the same transaction; null when the case moved first.
 */
export async function claimRestore(
  deps: RestoreDeps,
  c: Case,
  decision: Omit<RestoreClaim, 'case'>,
): Promise<RestoreClaim | null> {
  const at = deps.clock.now().toISOString();
  const claimed = await deps.store.updateCase(c.id, c.version, {
    status: 'restoring',
    decision: { verb: 'restore', by: decision.by, at, reason: decision.reason },
    lastError: null,
    log: {
      caseId: c.id,
      verb: decision.verb,
      approverId: decision.by.id,
      approverName: decision.by.name,
      at,
      reason: decision.reason,
      caseVersion: c.version,
      graphRequestId: null,
      result: 'restore-claimed',
      detail: claimDetail(c),
    },
  });
  if (!claimed) return null;
  deps.onCaseChanged();
  return { ...decision, case: claimed };
}

/**
 * The claim the decision log holds for a case in `restoring`, or why it holds none. Only the
 * log is believed: the claim must be the case's latest decision, at the case's version, for
 * the same member and group, and a confirmed restore needs an open request by someone else.
 */
export function loggedClaim(
  c: Case,
  records: readonly DecisionRecord[],
): { ok: true; claim: RestoreClaim; at: string } | { ok: false; problem: string } {
  const decided = records.filter((r) => r.caseId === c.id && r.result !== 'refused');
  const last = decided.at(-1);
  if (c.status !== 'restoring') return { ok: false, problem: 'the case is not restoring' };
  if (!last || last.result !== 'restore-claimed') {
    return { ok: false, problem: 'no restore claim is the latest decision logged for the case' };
  }
  if (last.caseVersion !== c.version) {
    return { ok: false, problem: 'the case changed after its logged claim' };
  }
  if (last.detail !== claimDetail(c)) {
    return { ok: false, problem: 'the case names another member or group than its logged claim' };
  }
  if (last.verb !== 'restore' && last.verb !== 'confirm-restore') {
    return { ok: false, problem: `a restore claim logged for "${last.verb}"` };
  }
  if (last.verb === 'confirm-restore') {
    const request = decided
      .slice(0, -1)
      .reverse()
      .find((r) => r.result !== 'restore-failed' && r.result !== 'restore-claimed');
    if (request?.result !== 'restore-requested') {
      return { ok: false, problem: 'a confirmed restore without a logged open request' };
    }
    if (request.approverId.toLowerCase() === last.approverId.toLowerCase()) {
      return { ok: false, problem: 'the same approver requested and confirmed the restore' };
    }
  }
  return {
    ok: true,
    at: last.at,
    claim: {
      case: c,
      verb: last.verb,
      by: { id: last.approverId, name: last.approverName },
      reason: last.reason,
    },
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
    const phrase = failurePhrase(error);
    const reopened = await deps.store.updateCase(c.id, c.version, {
      status: c.restoreRequest ? 'restore-requested' : 'open',
      decision: null,
      lastError: options.resumed
        ? `Restore by ${by.name} was interrupted and failed: ${phrase}`
        : `Restore by ${by.name} failed: ${phrase}`,
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
    return { kind: 'failed', case: reopened ?? c, reason: phrase };
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
