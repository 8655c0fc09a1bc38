export type CaseStatus = 'open' | 'restoring' | 'approved' | 'restored';
export type DecisionVerb = 'approve' | 'restore';
export type FoundBy = 'notification' | 'sweep';

export interface Person {
  id: string;
  name: string;
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
}

export interface Decision {
  verb: DecisionVerb;
  by: Person;
  at: string;
}

export interface Case {
  id: number;
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
  if (group.isMailEnabled) return 'mail-enabled groups are read-only in Graph';
  return null;
}
