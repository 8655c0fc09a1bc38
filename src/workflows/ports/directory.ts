import type { Actor, GroupProfile } from '../../core/case.js';
import type { MemberDelta } from '../../core/membership-diff.js';

export interface GroupDeltaPage {
  deltas: MemberDelta[];
  deltaLink: string;
  fullSync: boolean;
}

/** What GroupGuard reads from the directory (Microsoft Graph). */
export interface DirectoryReads {
  getGroupProfile(groupId: string): Promise<GroupProfile>;
  /** Follows every nextLink; a null link means full sync. Throws DeltaTokenExpiredError on 410 and friends. */
  readGroupDelta(groupId: string, deltaLink: string | null): Promise<GroupDeltaPage>;
  getDisplayName(objectId: string): Promise<string>;
  /** The ones among `groupIds` (at most 20) that `objectId` is a transitive member of. */
  checkMemberGroups(objectId: string, groupIds: string[]): Promise<string[]>;
  /** Who removed the member, per the directory audit log in that time window; null if not (yet) logged. */
  findRemovalActor(query: {
    groupId: string;
    memberId: string;
    notBefore: string;
    notAfter: string;
  }): Promise<Actor | null>;
}

export class DeltaTokenExpiredError extends Error {
  override name = 'DeltaTokenExpiredError';
}
