import type { Actor, GroupProfile } from '../../core/case.js';
import type { MemberDelta } from '../../core/membership-diff.js';

export interface GroupDeltaPage {
  deltas: MemberDelta[];
  deltaLink: string;
  fullSync: boolean;
}

/** What GroupGuard reads from the directory (Microsoft Graph). */
export interface DirectoryReads {
  /** Throws GroupUnavailableError when the group is gone (404) or hidden from the app (403). */
  getGroupProfile(groupId: string): Promise<GroupProfile>;
  /**
   * Follows every nextLink; a null link means full sync. Throws DeltaTokenExpiredError on 410
   * and friends, GroupUnavailableError on 404 or 403.
   */
  readGroupDelta(groupId: string, deltaLink: string | null): Promise<GroupDeltaPage>;
  /** Throws PermissionMissingError when Graph answers 403 (the app lacks Directory.Read.All). */
  getDisplayName(objectId: string): Promise<string>;
  /** The ones among `groupIds` (at most 20) that `objectId` is a transitive member of. */
  checkMemberGroups(objectId: string, groupIds: string[]): Promise<string[]>;
  /**
   * Who removed the member, per the directory audit log in that time window; null if not (yet)
   * logged. Throws PermissionMissingError when Graph answers 403.
   */
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

/** A watched group Graph will not show us: deleted (404) or forbidden to this app (403). */
export class GroupUnavailableError extends Error {
  override name = 'GroupUnavailableError';
  constructor(
    readonly groupId: string,
    readonly reason: 'deleted' | 'forbidden',
    detail: string,
  ) {
    super(detail);
  }
}

/** Graph answered 403 for a read that needs an application permission the app was not granted. */
export class PermissionMissingError extends Error {
  override name = 'PermissionMissingError';
  constructor(
    /** The permission that most likely is missing, as Entra names it. */
    readonly permission: string,
    detail: string,
  ) {
    super(detail);
  }
}
