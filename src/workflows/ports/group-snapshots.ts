import type { Actor, Case, FoundBy, GroupProfile } from '../../core/case.js';

export interface WatchedGroup {
  profile: GroupProfile;
  deltaLink: string | null;
  syncedAt: string;
  members: Set<string>;
}

export interface NewCase {
  groupId: string;
  groupName: string;
  memberId: string;
  memberName: string;
  removedAt: string;
  foundBy: FoundBy;
  restoreBlockedReason: string | null;
  groupIsRoleAssignable: boolean;
  actor: Actor | null;
  memberSeenAt: string | null;
}

export interface GroupSyncCommit {
  groupId: string;
  expectedDeltaLink: string | null;
  newDeltaLink: string;
  profile: GroupProfile;
  added: string[];
  removed: string[];
  cases: NewCase[];
}

/** Each watched group's membership as last synced, and the delta link to continue from. */
export interface SnapshotStore {
  getWatchedGroup(groupId: string): Promise<WatchedGroup | null>;
  /**
   * Applies one delta round: snapshot change, new cases (each with an outbox entry) and the new
   * delta link, only if the stored delta link is still `expectedDeltaLink`. Returns the opened
   * cases, or null when another worker committed first.
   */
  commitGroupSync(commit: GroupSyncCommit): Promise<Case[] | null>;
}
