export type CaseStatus =
  'open' | 'restore-requested' | 'approval-requested' | 'restoring' | 'approved' | 'restored';
export type DecisionVerb = 'approve' | 'restore';
/** What an approver can ask for on a case; a privileged restore takes two of them. */
export type CaseVerb = 'approve' | 'restore' | 'confirm-restore' | 'cancel-restore';
export type FoundBy = 'notification' | 'sweep';

export interface Person {
  id: string;
  name: string;
}

/** Who removed the member, as the directory audit log says: a person or an app. */
export interface Actor extends Person {
  kind: 'user' | 'app';
}

export interface CardRef {
  serviceUrl: string;
  conversationId: string;
  activityId: string;
}

/** What GroupGuard knows about a group when it opens a case for it. */
export interface GroupProfile {
  id: string;
  displayName: string;
  isAssignableToRole: boolean;
  isDynamic: boolean;
  isOnPremisesSynced: boolean;
  isMailEnabled: boolean;
  /** `groupTypes` has "Unified": mail-enabled, yet its members are managed through Graph. */
  isMicrosoft365: boolean;
}

export interface Decision {
  verb: DecisionVerb;
  by: Person;
  at: string;
  reason?: string | null;
}

/**
 * The first of two approvers a privileged case needs: of a restore (`restore-requested`), or
 * of an approval (`approval-requested`).
 */
export interface RestoreRequest {
  by: Person;
  at: string;
  reason: string | null;
}

export interface Case {
  id: number;
  /**
   * When a sync last saw the member in the group: the removal happened after it, so an older
   * audit record is an earlier removal and must not be taken for this one's actor.
   */
  memberSeenAt?: string | null;
  groupId: string;
  groupName: string;
  memberId: string;
  memberName: string;
  removedAt: string;
  foundBy: FoundBy;
  status: CaseStatus;
  version: number;
  /** Why Restore cannot work for this group (dynamic, synced, mail-enabled), decided at open time. */
  restoreBlockedReason: string | null;
  /** Fixed when the group is created, so the value seen at open time stays true. */
  groupIsRoleAssignable: boolean;
  /** Null until the directory audit log says who removed the member. */
  actor: Actor | null;
  restoreRequest: RestoreRequest | null;
  decision: Decision | null;
  lastError: string | null;
  card: CardRef | null;
}

export function formatCaseRef(id: number): string {
  return `GG-${id}`;
}

export function parseCaseRef(text: string): number | null {
  const match = /^(?:GG-)?(\d{1,9})$/i.exec(text.trim());
  return match ? Number(match[1]) : null;
}

export function restoreBlockedReason(group: GroupProfile): string | null {
  if (group.isDynamic) return 'membership comes from a dynamic rule';
  if (group.isOnPremisesSynced) return 'the group is synced from on-premises AD';
  if (group.isMailEnabled && !group.isMicrosoft365) {
    return 'mail-enabled security groups and distribution lists are read-only in Graph';
  }
  return null;
}

const TERMINAL: ReadonlySet<CaseStatus> = new Set(['approved', 'restored', 'restoring']);

/** Decided, or a restore already on its way to Graph: no click can change it any more. */
export function isSettled(status: CaseStatus): boolean {
  return TERMINAL.has(status);
}

/**
 * Why a restore into this group needs a second approver: it can hold directory roles, or it is
 * tier 0 (listed by the operator, or the approver group itself). Nesting is a workflow's
 * question to Graph; roles assigned to ordinary groups are not looked up.
 */
export function privilegeOf(
  c: Pick<Case, 'groupId' | 'groupIsRoleAssignable'>,
  tier0GroupIds: ReadonlySet<string>,
): string | null {
  if (c.groupIsRoleAssignable) return 'role-assignable group';
  if (tier0GroupIds.has(c.groupId.toLowerCase())) return 'tier 0 group';
  return null;
}
