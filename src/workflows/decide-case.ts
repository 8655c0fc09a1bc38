import { isSettled, privilegeOf, type Case, type CaseVerb, type Person } from '../core/case.js';
import { checkDecision, type DecisionRules, type NextStatus } from '../core/decide-case.js';
import type { ApproverPolicy } from './create-approver-policy.js';
import {
  CaseNotFoundError,
  type CaseStore,
  type CaseUpdate,
  type Clock,
  type DecisionLog,
  type DecisionLogEntry,
  type Log,
  type Remediation,
} from './ports/index.js';
import { claimRestore, settleRestore } from './settle-restore.js';

/** `isApprover` is null when nobody asked Graph (the case was settled, or Graph failed). */
export type DecisionOutcome = (
  | { kind: 'decided' }
  | { kind: 'already-decided' }
  | { kind: 'stale' }
  | { kind: 'refused'; reason: string }
  | { kind: 'failed'; reason: string }
) & { case: Case; isApprover: boolean | null };

export interface DecideDeps {
  store: CaseStore & DecisionLog;
  remediation: Remediation;
  log: Log;
  clock: Clock;
  approvers: ApproverPolicy;
  tier0GroupIds: ReadonlySet<string>;
  /** See createActorResolver. */
  resolveActor: (c: Case) => Promise<Case | null>;
  /** Called after every committed change so the card catches up at once. */
  onCaseChanged: () => void;
}

export interface DecideInput {
  caseId: number;
  version: number;
  verb: CaseVerb;
  approver: Person;
  reason: string | null;
}

async function caseOrThrow(store: CaseStore, id: number): Promise<Case> {
  const found = await store.getCase(id);
  if (!found) throw new CaseNotFoundError(`case ${id} does not exist`);
  return found;
}

export async function decisionRules(deps: DecideDeps, c: Case): Promise<DecisionRules> {
  return {
    disabledReason: deps.approvers.disabledReason,
    approverGroupName: await deps.approvers.groupName(),
    privilege: privilegeOf(c, deps.tier0GroupIds),
  };
}

/**
 * Turns a click into at most one decision and at most one Graph call. Every change is a
 * compare-and-set on the case version, logged in the same transaction; a restore claims the
 * case (→ restoring) before Graph is called, so concurrent clicks lose before touching Graph.
 */
export async function decideCase(deps: DecideDeps, input: DecideInput): Promise<DecisionOutcome> {
  let current = await caseOrThrow(deps.store, input.caseId);
  if (isSettled(current.status) && !deps.approvers.disabledReason) {
    return { kind: 'already-decided', case: current, isApprover: null };
  }
  const entry = (
    c: Case,
    result: DecisionLogEntry['result'],
    extra: Partial<DecisionLogEntry> = {},
  ): DecisionLogEntry => ({
    caseId: c.id,
    verb: input.verb,
    approverId: input.approver.id,
    approverName: input.approver.name,
    at: deps.clock.now().toISOString(),
    reason: input.reason,
    caseVersion: c.version,
    graphRequestId: null,
    result,
    detail: null,
    ...extra,
  });
  const refuse = async (c: Case, reason: string, isApprover: boolean | null) => {
    await deps.store
      .appendDecisionLog(entry(c, 'refused', { detail: reason }))
      .catch((error: unknown) => deps.log.error({ err: error }, 'refusal not logged'));
    deps.log.warn(
      { caseId: c.id, verb: input.verb, approver: input.approver.id, reason },
      'decision refused',
    );
    return { kind: 'refused' as const, case: c, reason, isApprover };
  };

  let isApprover: boolean;
  try {
    isApprover = await deps.approvers.isApprover(input.approver.id);
  } catch (error) {
    deps.log.error({ err: error, approver: input.approver.id }, 'approver check failed');
    return refuse(
      current,
      'GroupGuard could not confirm with Microsoft Graph that you are an approver, so nothing was done. Try again in a minute.',
      null,
    );
  }

  let cardVersion = input.version;
  if (isApprover && !current.actor && input.version === current.version) {
    const updated = await deps.resolveActor(current);
    // Our own write moved the version, so the click still refers to the current case.
    if (updated) cardVersion = updated.version;
    current = updated ?? (await caseOrThrow(deps.store, current.id));
  }

  const check = checkDecision(
    current,
    {
      verb: input.verb,
      cardVersion,
      approver: input.approver,
      isApprover,
      reason: input.reason,
    },
    await decisionRules(deps, current),
  );
  switch (check.kind) {
    case 'already-decided':
    case 'stale':
      return { kind: check.kind, case: current, isApprover };
    case 'refused':
      return refuse(current, check.reason, isApprover);
    case 'proceed':
      return apply(deps, current, input, check.next, entry, isApprover);
  }
}

async function apply(
  deps: DecideDeps,
  current: Case,
  input: DecideInput,
  next: NextStatus,
  entry: (c: Case, result: DecisionLogEntry['result']) => DecisionLogEntry,
  isApprover: boolean,
): Promise<DecisionOutcome> {
  const { approver: by, reason } = input;
  if (next === 'restoring') {
    const claim = await claimRestore(deps, current, {
      verb: input.verb === 'confirm-restore' ? 'confirm-restore' : 'restore',
      by,
      reason,
    });
    if (!claim) return lostRace(deps, current.id, isApprover);
    const settled = await settleRestore(deps, claim);
    return settled.kind === 'restored'
      ? { kind: 'decided', case: settled.case, isApprover }
      : { kind: 'failed', case: settled.case, reason: settled.reason, isApprover };
  }

  const at = deps.clock.now().toISOString();
  const update: CaseUpdate =
    next === 'approved'
      ? {
          status: 'approved',
          decision: { verb: 'approve', by, at, reason },
          lastError: null,
          restoreRequest: null,
          log: entry(current, 'approved'),
        }
      : next === 'restore-requested'
        ? {
            status: 'restore-requested',
            decision: null,
            lastError: null,
            restoreRequest: { by, at, reason },
            log: entry(current, 'restore-requested'),
          }
        : {
            status: 'open',
            decision: null,
            lastError: null,
            restoreRequest: null,
            log: entry(current, 'restore-cancelled'),
          };
  const updated = await deps.store.updateCase(current.id, current.version, update);
  if (!updated) return lostRace(deps, current.id, isApprover);
  deps.onCaseChanged();
  deps.log.info(
    { caseId: current.id, verb: input.verb, approver: by.id, status: updated.status },
    'case decided',
  );
  return { kind: 'decided', case: updated, isApprover };
}

/** The compare-and-set lost: settled means someone decided, otherwise the card was behind. */
async function lostRace(
  deps: DecideDeps,
  caseId: number,
  isApprover: boolean,
): Promise<DecisionOutcome> {
  const now = await caseOrThrow(deps.store, caseId);
  return { kind: isSettled(now.status) ? 'already-decided' : 'stale', case: now, isApprover };
}

/**
 * The case as one person should see it (the card's `refresh`): whether they may decide, and
 * the actor if the audit log knows it by now. Changes nothing else.
 */
export async function viewCase(
  deps: DecideDeps,
  input: { caseId: number; viewer: Person },
): Promise<{ case: Case; isApprover: boolean | null }> {
  const current = await caseOrThrow(deps.store, input.caseId);
  if (isSettled(current.status)) return { case: current, isApprover: null };
  let isApprover: boolean | null;
  try {
    isApprover = await deps.approvers.isApprover(input.viewer.id);
  } catch (error) {
    deps.log.warn({ err: error, viewer: input.viewer.id }, 'approver check failed for a refresh');
    isApprover = null;
  }
  const updated = isApprover ? await deps.resolveActor(current) : null;
  return { case: updated ?? current, isApprover };
}
