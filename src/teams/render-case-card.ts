import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ACData from 'adaptivecards-templating';
import { formatCaseRef, privilegeOf, type Case, type Person } from '../core/case.js';
import { verbsFor, verbsOnCard, type DecisionRules } from '../core/decide-case.js';
import { MAX_REASON_LENGTH } from '../core/decision-reason.js';
import { inertText } from '../core/inert-text.js';
import { cardTime } from './teams-time.js';

export const ADAPTIVE_CARD_CONTENT_TYPE = 'application/vnd.microsoft.card.adaptive';
/** Teams refreshes a card for at most 60 users. */
export const MAX_REFRESH_USERS = 60;

/** What rendering needs besides the case: who may decide, and whose cards refresh. */
export interface CardContext {
  approverGroupName: string;
  disabledReason: string | null;
  tier0GroupIds: ReadonlySet<string>;
  /** MRIs for `refresh.userIds`. */
  audience: string[];
  /** Shown for an unknown actor when the audit log cannot be read (a missing permission). */
  actorUnavailable?: string | null;
}

/** The person a user-specific card is for; `isApprover` null when it was not checked. */
export interface Viewer {
  person: Person;
  isApprover: boolean | null;
}

export interface CaseCardView {
  ref: string;
  caseId: number;
  version: number;
  groupName: string;
  memberName: string;
  removedAt: string;
  actorText: string;
  foundBy: string;
  statusText: string;
  statusColor: 'Attention' | 'Default';
  headerStyle: 'attention' | 'good' | 'accent' | 'warning';
  privilegeText: string;
  reasonText: string;
  restoreBlockedReason: string;
  lastError: string;
  notice: string;
  whoText: string;
  showReason: boolean;
  reasonLabel: string;
  hasActions: boolean;
  canApprove: boolean;
  canRestore: boolean;
  canConfirm: boolean;
  canCancel: boolean;
  audience: string[];
}

const template = new ACData.Template(
  JSON.parse(readFileSync(join(__dirname, '..', '..', 'cards', 'case.json'), 'utf8')),
);

function statusOf(c: Case): Pick<CaseCardView, 'statusText' | 'statusColor' | 'headerStyle'> {
  const by = c.decision?.by.name ?? 'someone';
  const requested = c.restoreRequest ? ` · requested by ${c.restoreRequest.by.name}` : '';
  switch (c.status) {
    case 'open':
      return {
        statusText: 'Open: approve the removal or restore the member',
        statusColor: 'Attention',
        headerStyle: 'attention',
      };
    case 'restore-requested':
      return {
        statusText: `Restore requested by ${c.restoreRequest?.by.name ?? 'someone'} — needs a second approver`,
        statusColor: 'Default',
        headerStyle: 'warning',
      };
    case 'approval-requested':
      return {
        statusText: `Approval of the removal requested by ${c.restoreRequest?.by.name ?? 'someone'} — needs a second approver`,
        statusColor: 'Default',
        headerStyle: 'warning',
      };
    case 'restoring':
      return {
        statusText: `Restoring… started by ${by}${requested}`,
        statusColor: 'Default',
        headerStyle: 'accent',
      };
    case 'restored':
      return {
        statusText: `Restored by ${by} at ${cardTime(c.decision?.at ?? c.removedAt)}${requested}`,
        statusColor: 'Default',
        headerStyle: 'good',
      };
    case 'approved':
      return {
        statusText: `Removal approved by ${by} at ${cardTime(c.decision?.at ?? c.removedAt)}${requested}`,
        statusColor: 'Default',
        headerStyle: 'good',
      };
  }
}

function reasonTextOf(c: Case): string {
  const lines: string[] = [];
  if (c.restoreRequest?.reason) {
    const asked =
      c.status === 'approval-requested' || c.status === 'approved' ? 'Approval' : 'Restore';
    lines.push(`${asked} requested by ${c.restoreRequest.by.name}: "${c.restoreRequest.reason}"`);
  }
  if (c.decision?.reason)
    lines.push(`Reason given by ${c.decision.by.name}: "${c.decision.reason}"`);
  return lines.join('\n\n');
}

const plainPerson = <T extends { name: string }>(p: T): T => ({ ...p, name: inertText(p.name) });
const plainReason = (r: string | null | undefined) =>
  r == null ? null : inertText(r, MAX_REASON_LENGTH);

/**
 * Every string that came from the directory, Graph or a person, made inert (see inertText):
 * Teams renders card text as markdown and evaluates `{{DATE()}}`.
 */
function plainCase(c: Case): Case {
  return {
    ...c,
    groupName: inertText(c.groupName),
    memberName: inertText(c.memberName),
    actor: c.actor ? plainPerson(c.actor) : c.actor,
    decision: c.decision
      ? { ...c.decision, by: plainPerson(c.decision.by), reason: plainReason(c.decision.reason) }
      : null,
    restoreRequest: c.restoreRequest
      ? {
          ...c.restoreRequest,
          by: plainPerson(c.restoreRequest.by),
          reason: plainReason(c.restoreRequest.reason),
        }
      : null,
    lastError: c.lastError === null ? null : inertText(c.lastError, 300),
  };
}

export function caseCardView(
  untrusted: Case,
  rawCtx: CardContext,
  options: { viewer?: Viewer; notice?: string } = {},
): CaseCardView {
  const c = plainCase(untrusted);
  const ctx = { ...rawCtx, approverGroupName: inertText(rawCtx.approverGroupName) };
  const privilege = privilegeOf(c, ctx.tier0GroupIds);
  const rules: DecisionRules = {
    disabledReason: ctx.disabledReason,
    approverGroupName: ctx.approverGroupName,
    privilege,
  };
  // Not knowing whether someone may decide is no reason to hide buttons the server checks anyway.
  const viewer = options.viewer?.isApprover === null ? undefined : options.viewer;
  const verbs = new Set(
    viewer
      ? verbsFor(c, { person: viewer.person, isApprover: viewer.isApprover === true }, rules)
      : verbsOnCard(c, rules),
  );
  const actionable = verbsOnCard(c, rules).length > 0;
  const whoText = ctx.disabledReason
    ? `Decisions are disabled: ${ctx.disabledReason}.`
    : !actionable
      ? ''
      : !viewer
        ? `Only members of ${ctx.approverGroupName} can decide; GroupGuard checks every click.`
        : viewer.isApprover === false
          ? `Read only: only members of ${ctx.approverGroupName} can decide.`
          : verbs.size === 0
            ? 'You cannot decide this case (see above); another approver can.'
            : '';
  const actor = c.actor
    ? `${c.actor.name}${c.actor.kind === 'app' ? ' (an app)' : ''}`
    : (ctx.actorUnavailable ?? 'not known yet (waiting for the audit log)');
  const needsReason = verbs.has('approve') || verbs.has('restore') || verbs.has('confirm-restore');
  return {
    ref: formatCaseRef(c.id),
    caseId: c.id,
    version: c.version,
    groupName: c.groupName,
    memberName: c.memberName,
    removedAt: cardTime(c.removedAt),
    actorText: actor,
    foundBy:
      c.foundBy === 'sweep' ? 'periodic sweep (notification was missed)' : 'change notification',
    ...statusOf(c),
    privilegeText:
      privilege && actionable
        ? `Privileged (${privilege}): restoring needs two approvers, and every decision needs a reason.`
        : '',
    reasonText: reasonTextOf(c),
    restoreBlockedReason: c.restoreBlockedReason ?? '',
    lastError: c.lastError ?? '',
    notice: options.notice ?? '',
    whoText,
    showReason: needsReason,
    reasonLabel: privilege ? 'Reason (required)' : 'Reason (optional)',
    hasActions: verbs.size > 0,
    canApprove: verbs.has('approve'),
    canRestore: verbs.has('restore'),
    canConfirm: verbs.has('confirm-restore'),
    canCancel: verbs.has('cancel-restore'),
    audience: ctx.audience.slice(0, MAX_REFRESH_USERS),
  };
}

/**
 * Without `viewer`, the card everyone sees: every button the case's state allows, because
 * clients without user-specific views (the Agents Playground, some mobile clients, approvers
 * not yet in `userIds`) must still be able to act; the server checks each click. With
 * `viewer`, what `refresh` shows that one person. `notice` is for the clicker only.
 */
export function renderCaseCard(
  c: Case,
  ctx: CardContext,
  options: { viewer?: Viewer; notice?: string } = {},
): Record<string, unknown> {
  return template.expand({ $root: caseCardView(c, ctx, options) }) as Record<string, unknown>;
}

export function caseCardAttachment(c: Case, ctx: CardContext) {
  return { contentType: ADAPTIVE_CARD_CONTENT_TYPE, content: renderCaseCard(c, ctx) };
}
