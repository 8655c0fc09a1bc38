import type { CaseVerb } from '../../core/case.js';
import { inertText } from '../../core/inert-text.js';
import {
  decideWithinBudget,
  type DecideDeps,
  type DecisionOutcome,
} from '../../workflows/decide-case.js';
import type { TimeFormat } from '../teams-time.js';
import type { CardAction } from './card-action.js';

export function noticeFor(outcome: DecisionOutcome, time: TimeFormat): string {
  const d = outcome.case.decision;
  switch (outcome.kind) {
    case 'decided':
      return '';
    case 'already-decided':
      return d
        ? `Already decided by ${inertText(d.by.name)} at ${time(d.at)}. Nothing was changed.`
        : 'This case was already decided. Nothing was changed.';
    case 'stale':
      return 'This card was out of date. Here is the current case; nothing was changed.';
    case 'refused':
      return outcome.reason;
    case 'failed':
      return `Restore failed: ${outcome.reason}`;
    case 'pending':
      return outcome.case.status === 'restoring'
        ? 'Microsoft Graph is slow to answer; the card updates for everyone when the restore settles.'
        : 'Microsoft Graph is slow to answer, so nothing has changed yet. GroupGuard carries on and updates the card for everyone if your click goes through; if the card stays as it is, click again.';
  }
}

/** A card verb that asks decideCase for a decision. */
export const decisionAction = (verb: CaseVerb, deps: DecideDeps): CardAction => ({
  verb,
  async handle(input) {
    const outcome = await decideWithinBudget(deps, { ...input, verb });
    return {
      case: outcome.case,
      isApprover: outcome.isApprover,
      notice: (time) => noticeFor(outcome, time),
    };
  },
});
