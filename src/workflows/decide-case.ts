import { isSettled, type Case, type CaseVerb, type Person } from '../core/case.js';
import { checkDecision, type DecisionRules, type NextStatus } from '../core/decide-case.js';
import type { BackgroundTasks } from './background-tasks.js';
import type { ApproverPolicy } from './create-approver-policy.js';
import type { PrivilegePolicy } from './create-privilege-policy.js';
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

/**
 * `isApprover` is null when nobody asked Graph (the case was settled, or Graph failed) or the
 * answer is not in yet. `pending`: the click's budget ran out; the decision carries on.
 */
export type DecisionOutcome = (
  | { kind: 'decided' }
  | { kind: 'already-decided' }
  | { kind: 'stale' }
  | { kind: 'refused'; reason: string }
  | { kind: 'failed'; reason: string }
  | { kind: 'pending' }
) & { case: Case; isApprover: boolean | null };

export interface DecideDeps {
  store: CaseStore & DecisionLog;
  remediation: Remediation;
  log: Log;
  clock: Clock;
  approvers: ApproverPolicy;
  privilege: PrivilegePolicy;
  /** See DecisionTiming. */
  restoreRequestTtlMs: number;
  staleCaseAgeMs: number;
  /** See createActorResolver. */
  resolveActor: (c: Case, signal?: AbortSignal) => Promise<Case | null>;
  /** Called after every committed change so the card catches up at once. */
  onCaseChanged: () => void;
  /** A click is answered within this; the decision itself may take longer (Graph throttles). */
  answerWithinMs: number;
  tasks: BackgroundTasks;
}

/** Of a click's budget, what the decision may use before the answer goes out; the rest renders it. */
const DECIDE_SHARE = 0.6;
/** The audit log only adds the actor to the card, so its lookup gets less than the decision. */
const ACTOR_LOOKUP_SHARE = 0.4;

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
    privilege: await deps.privilege.privilegeOf(c),
    timing: {
      now: deps.clock.now().getTime(),
      restoreRequestTtlMs: deps.restoreRequestTtlMs,
      staleCaseAgeMs: deps.staleCaseAgeMs,
    },
  };
}

/**
 * decideCase for a click: its outcome when it settles within the click's budget, else the case
 * as it stands now (`pending`) while the decision carries on. The approver check still comes
 * before any change; every change enqueues a card update, so the card catches up in place.
 */
export async function decideWithinBudget(
  deps: DecideDeps,
  input: DecideInput,
): Promise<DecisionOutcome> {
  const settled = await deps.tasks.within(
    `decision on case ${input.caseId}`,
    decideCase(deps, input),
    deps.answerWithinMs * DECIDE_SHARE,
  );
  if (settled) return settled.value;
  return { kind: 'pending', case: await caseOrThrow(deps.store, input.caseId), isApprover: null };
}

/**
 * The case with its actor when the audit log names them within `ms`, or null. A lookup past
 * that may not store what it finds, so it cannot outrun the click's own compare-and-set.
 */
async function lookUpActor(deps: DecideDeps, c: Case, ms: number): Promise<Case | null> {
  if (ms <= 0) return null;
  const late = new AbortController();
  const found = await deps.tasks.within(
    `actor lookup for case ${c.id}`,
    deps.resolveActor(c, late.signal),
    ms,
  );
  if (!found) late.abort();
  return found?.value ?? null;
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
    const updated = await lookUpActor(deps, current, deps.answerWithinMs * ACTOR_LOOKUP_SHARE);
    // Our own write moved the version, so the click still refers to the current case.
    if (updated) cardVersion = updated.version;
    current = updated ?? (await caseOrThrow(deps.store, current.id));
  }

  // Four eyes means two current approvers: the requester may have left the group since.
  let requesterIsApprover: boolean | undefined;
  const confirming =
    (input.verb === 'confirm-restore' && current.status === 'restore-requested') ||
    (input.verb === 'approve' && current.status === 'approval-requested');
  if (isApprover && confirming && current.restoreRequest) {
    try {
      requesterIsApprover = await deps.approvers.isApprover(current.restoreRequest.by.id);
    } catch (error) {
      deps.log.error({ err: error }, 'approver check of the restore requester failed');
      return refuse(
        current,
        'GroupGuard could not confirm with Microsoft Graph that the requester is still an approver, so nothing was done. Try again in a minute.',
        isApprover,
      );
    }
  }

  const check = checkDecision(
    current,
    {
      verb: input.verb,
      cardVersion,
      approver: input.approver,
      isApprover,
      reason: input.reason,
      requesterIsApprover,
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
          // The first of two approvers stays on the card: "approved by B · requested by A".
          restoreRequest: current.status === 'approval-requested' ? current.restoreRequest : null,
          log: entry(current, 'approved'),
        }
      : next === 'restore-requested' || next === 'approval-requested'
        ? {
            status: next,
            decision: null,
            lastError: null,
            restoreRequest: { by, at, reason },
            log: entry(current, next),
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
 * the actor if the audit log knows it by now, as far as Graph answers within the click's budget.
 * Changes nothing else.
 */
export async function viewCase(
  deps: DecideDeps,
  input: { caseId: number; viewer: Person },
): Promise<{ case: Case; isApprover: boolean | null }> {
  const until = performance.now() + deps.answerWithinMs * DECIDE_SHARE;
  const current = await caseOrThrow(deps.store, input.caseId);
  if (isSettled(current.status)) return { case: current, isApprover: null };
  let isApprover: boolean | null = null;
  try {
    const checked = await deps.tasks.within(
      `approver check for a refresh of case ${current.id}`,
      deps.approvers.isApprover(input.viewer.id),
      until - performance.now(),
    );
    isApprover = checked?.value ?? null;
  } catch (error) {
    deps.log.warn({ err: error, viewer: input.viewer.id }, 'approver check failed for a refresh');
  }
  const updated = isApprover ? await lookUpActor(deps, current, until - performance.now()) : null;
  return { case: updated ?? current, isApprover };
}
