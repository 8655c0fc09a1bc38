import { isSettled, type Case, type CaseVerb, type Person } from './case.js';
import { inertText } from './inert-text.js';

export const CASE_VERBS: readonly CaseVerb[] = [
  'approve',
  'restore',
  'confirm-restore',
  'cancel-restore',
];

/** One click, with who clicked as the server established it. */
export interface Click {
  verb: CaseVerb;
  cardVersion: number;
  approver: Person;
  /** Transitive member of the approver group, per Graph. */
  isApprover: boolean;
  reason: string | null;
  /** Whether whoever asked for the pending restore or approval is still an approver. */
  requesterIsApprover?: boolean;
}

/** Time-bound rules; a card rendered without them shows what the state alone allows. */
export interface DecisionTiming {
  now: number;
  /** A restore or approval request older than this can no longer be confirmed. */
  restoreRequestTtlMs: number;
  /** A case removed longer ago than this takes a reason typed with the click. */
  staleCaseAgeMs: number;
}

/** What the server knows besides the case and the click. */
export interface DecisionRules {
  /** Why nobody may decide at all (no approver group configured), or null. */
  disabledReason: string | null;
  approverGroupName: string;
  /** Why this case's group needs two approvers and a reason (see privilegeOf), or null. */
  privilege: string | null;
  timing?: DecisionTiming;
}

export type NextStatus =
  'approved' | 'approval-requested' | 'restore-requested' | 'restoring' | 'open';

export type DecisionCheck =
  | { kind: 'proceed'; next: NextStatus }
  | { kind: 'already-decided' }
  | { kind: 'stale' }
  | { kind: 'refused'; reason: string };

const sameId = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
const refused = (reason: string): DecisionCheck => ({ kind: 'refused', reason });
const proceed = (next: NextStatus): DecisionCheck => ({ kind: 'proceed', next });
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const duration = (ms: number) =>
  ms % DAY_MS === 0 ? `${ms / DAY_MS} d` : `${Math.round((ms / HOUR_MS) * 10) / 10} h`;

/** Why a pending request (to restore, or to approve) can no longer be confirmed, or null. */
function voidRequestReason(c: Case, click: Click, timing?: DecisionTiming): string | null {
  const kind =
    c.status === 'restore-requested'
      ? 'restore'
      : c.status === 'approval-requested'
        ? 'approval'
        : null;
  const request = kind ? c.restoreRequest : null;
  if (!request) return null;
  const by = inertText(request.by.name);
  if (timing && timing.now - Date.parse(request.at) > timing.restoreRequestTtlMs) {
    return `The ${kind} request by ${by} expired after ${duration(timing.restoreRequestTtlMs)}`;
  }
  if (click.requesterIsApprover === false) {
    const asked = kind === 'restore' ? 'requested this restore' : 'asked to approve this removal';
    return `${by}, who ${asked}, is no longer an approver`;
  }
  return null;
}

/**
 * Whether a click may change the case, on the server's facts only. Refusals change nothing;
 * the order puts who-may-decide before card freshness so a non-approver never learns more by
 * retrying.
 */
export function checkDecision(c: Case, click: Click, rules: DecisionRules): DecisionCheck {
  if (rules.disabledReason) {
    return refused(`Decisions are disabled: ${rules.disabledReason}. Nothing was changed.`);
  }
  if (isSettled(c.status)) return { kind: 'already-decided' };
  if (!click.isApprover) {
    return refused(
      `Only members of ${inertText(rules.approverGroupName)} can decide cases. Nothing was changed.`,
    );
  }
  if (sameId(click.approver.id, c.memberId)) {
    return refused(
      `You are the member removed from ${inertText(c.groupName)}, so another approver must decide this case.`,
    );
  }
  if (click.cardVersion !== c.version) return { kind: 'stale' };

  const { timing } = rules;
  const staleAfter =
    timing && timing.now - Date.parse(c.removedAt) > timing.staleCaseAgeMs
      ? duration(timing.staleCaseAgeMs)
      : null;
  const reasonMissing =
    click.reason !== null
      ? null
      : rules.privilege !== null
        ? refused(
            `${inertText(c.groupName)} is a ${rules.privilege}: type a reason, then click again. Nothing was changed.`,
          )
        : staleAfter
          ? refused(
              `This removal is older than ${staleAfter}: type a reason for deciding it now, then click again. Nothing was changed.`,
            )
          : null;
  const voided = voidRequestReason(c, click, timing);
  const request = c.status === 'restore-requested' && !voided ? c.restoreRequest : null;
  // A void approval request is replaced by the next Approve, which asks anew.
  const approval = c.status === 'approval-requested' && !voided ? c.restoreRequest : null;

  switch (click.verb) {
    case 'approve':
      if (!c.actor) {
        return refused(
          `Waiting for the audit log to say who removed ${inertText(c.memberName)}; Approve is possible once it does. Nothing was changed.`,
        );
      }
      if (sameId(c.actor.id, click.approver.id)) {
        return refused(
          `You removed ${inertText(c.memberName)} yourself, so another approver must approve the removal.`,
        );
      }
      if (approval) {
        if (sameId(approval.by.id, click.approver.id)) {
          return refused('You asked to approve this removal; a second approver must confirm it.');
        }
        return reasonMissing ?? proceed('approved');
      }
      // Approving keeps the member out of a privileged group: that too takes two approvers.
      if (rules.privilege) return reasonMissing ?? proceed('approval-requested');
      return reasonMissing ?? proceed('approved');
    case 'restore':
      if (request) {
        return refused(
          `${inertText(request.by.name)} already requested this restore; a second approver can confirm it.`,
        );
      }
      if (c.restoreBlockedReason) {
        return refused(`Restore is not possible: ${c.restoreBlockedReason}.`);
      }
      if (rules.privilege) return reasonMissing ?? proceed('restore-requested');
      return reasonMissing ?? proceed('restoring');
    case 'confirm-restore':
      if (voided && c.status === 'restore-requested') {
        return refused(
          `${voided}, so it cannot be confirmed. Cancel it, or click Restore to request it again. Nothing was changed.`,
        );
      }
      if (!request) return refused('No restore is waiting for a second approver on this case.');
      if (sameId(request.by.id, click.approver.id)) {
        return refused('You requested this restore; a second approver must confirm it.');
      }
      return reasonMissing ?? proceed('restoring');
    case 'cancel-restore': {
      // Anyone may clear a request that can no longer be confirmed.
      if (voided) return proceed('open');
      const pending = request ?? approval;
      if (!pending) return refused('There is no restore request to cancel on this case.');
      if (!sameId(pending.by.id, click.approver.id)) {
        const what = request ? 'requested the restore' : 'asked to approve the removal';
        return refused(`Only ${inertText(pending.by.name)}, who ${what}, can cancel it.`);
      }
      return proceed('open');
    }
  }
}

/** The verbs that would go through for this person now (a reason assumed typed in). */
export function verbsFor(
  c: Case,
  viewer: { person: Person; isApprover: boolean },
  rules: DecisionRules,
): CaseVerb[] {
  return CASE_VERBS.filter(
    (verb) =>
      checkDecision(
        c,
        {
          verb,
          cardVersion: c.version,
          approver: viewer.person,
          isApprover: viewer.isApprover,
          reason: 'given',
        },
        rules,
      ).kind === 'proceed',
  );
}

/** The verbs the card offers to anyone: what the state allows, before knowing who clicks. */
export function verbsOnCard(c: Case, rules: DecisionRules): CaseVerb[] {
  if (rules.disabledReason) return [];
  if (c.status === 'open') return c.restoreBlockedReason ? ['approve'] : ['approve', 'restore'];
  if (c.status === 'restore-requested') return ['confirm-restore', 'cancel-restore', 'approve'];
  if (c.status === 'approval-requested') {
    return c.restoreBlockedReason
      ? ['approve', 'cancel-restore']
      : ['approve', 'restore', 'cancel-restore'];
  }
  return [];
}
