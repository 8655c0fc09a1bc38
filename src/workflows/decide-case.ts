import type { Case, DecisionVerb, Person } from '../core/case.js';
import { checkDecision } from '../core/decide-case.js';
import { CaseNotFoundError, type Clock, type Directory, type Log, type Store } from './ports.js';

export type DecisionOutcome =
  | { kind: 'decided'; case: Case }
  | { kind: 'already-decided'; case: Case }
  | { kind: 'stale'; case: Case }
  | { kind: 'refused'; case: Case; reason: string }
  | { kind: 'failed'; case: Case; reason: string };

export interface DecideDeps {
  store: Store;
  directory: Directory;
  log: Log;
  clock: Clock;
  /** Called after every committed change so the card catches up at once. */
  onCaseChanged: () => void;
}

/**
 * Turns a click into at most one decision and at most one Graph call: Restore first claims the
 * case (open → restoring) with a compare-and-set, so concurrent clicks lose before touching Graph.
 */
export async function decideCase(
  deps: DecideDeps,
  input: { caseId: number; version: number; verb: DecisionVerb; approver: Person },
): Promise<DecisionOutcome> {
  const current = await deps.store.getCase(input.caseId);
  if (!current) throw new CaseNotFoundError(`case ${input.caseId} does not exist`);
  const check = checkDecision(current, input.verb, input.version, input.approver);
  if (check.kind === 'refused') return { kind: 'refused', case: current, reason: check.reason };
  if (check.kind !== 'proceed') return { kind: check.kind, case: check.case };

  const decision = { verb: input.verb, by: input.approver, at: deps.clock.now().toISOString() };
  const claimed = await deps.store.updateCase(current.id, current.version, {
    status: input.verb === 'approve' ? 'approved' : 'restoring',
    decision,
    lastError: null,
  });
  if (!claimed) return lostRace(deps, current.id);
  deps.onCaseChanged();
  if (input.verb === 'approve') {
    deps.log.info({ caseId: current.id, approver: input.approver.id }, 'removal approved');
    return { kind: 'decided', case: claimed };
  }

  try {
    await deps.directory.addGroupMember(current.groupId, current.memberId);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    deps.log.error({ err: error, caseId: current.id }, 'restore failed');
    const reopened = await deps.store.updateCase(claimed.id, claimed.version, {
      status: 'open',
      decision: null,
      lastError: `Restore by ${input.approver.name} failed: ${reason}`,
    });
    deps.onCaseChanged();
    return { kind: 'failed', case: reopened ?? claimed, reason };
  }
  const restored = await deps.store.updateCase(claimed.id, claimed.version, {
    status: 'restored',
    decision: { ...decision, at: deps.clock.now().toISOString() },
    lastError: null,
  });
  deps.onCaseChanged();
  deps.log.info({ caseId: current.id, approver: input.approver.id }, 'member restored');
  return { kind: 'decided', case: restored ?? claimed };
}

async function lostRace(deps: DecideDeps, caseId: number): Promise<DecisionOutcome> {
  const now = await deps.store.getCase(caseId);
  if (!now) throw new CaseNotFoundError(`case ${caseId} does not exist`);
  return { kind: 'already-decided', case: now };
}
