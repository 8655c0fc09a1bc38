import { isObjectId } from '../core/object-id.js';
import type { AudienceStore, Clock, DirectoryReads, Log } from './ports/index.js';

/** Who may decide cases: the transitive members of one Entra group. */
export interface ApproverPolicy {
  /** Why nobody may decide (no approver group configured), or null. */
  readonly disabledReason: string | null;
  groupName(): Promise<string>;
  /** Throws when Graph cannot answer; callers refuse the click then. */
  isApprover(userId: string): Promise<boolean>;
}

export interface ApproverPolicyOptions {
  groupId: string | null;
  /** How long a yes is believed: someone removed from the group keeps deciding this long. */
  approvedTtlMs?: number;
  /** Short, so someone just added to the group waits seconds, not minutes. */
  refusedTtlMs?: number;
}

const MAX_CACHED = 10_000;
export const NO_APPROVER_GROUP = 'no approver group is configured (set APPROVER_GROUP_ID)';

export function createApproverPolicy(
  deps: { directory: DirectoryReads; store: AudienceStore; log: Log; clock: Clock },
  options: ApproverPolicyOptions,
): ApproverPolicy {
  const { groupId } = options;
  const approvedTtl = options.approvedTtlMs ?? 60_000;
  const refusedTtl = options.refusedTtlMs ?? 5_000;
  const cache = new Map<string, { isApprover: boolean; until: number }>();
  const inFlight = new Map<string, Promise<boolean>>();
  let name: string | null = null;
  let nameRetryAt = 0;

  const check = async (groupId: string, userId: string): Promise<boolean> => {
    const isApprover = (await deps.directory.checkMemberGroups(userId, [groupId])).some(
      (id) => id.toLowerCase() === groupId.toLowerCase(),
    );
    if (cache.size >= MAX_CACHED) cache.clear();
    cache.set(userId, {
      isApprover,
      until: deps.clock.now().getTime() + (isApprover ? approvedTtl : refusedTtl),
    });
    await deps.store.noteApprover(userId, isApprover).catch((error: unknown) => {
      deps.log.warn({ err: error }, 'could not note approver status');
    });
    return isApprover;
  };

  return {
    disabledReason: groupId ? null : NO_APPROVER_GROUP,
    async groupName() {
      if (!groupId) return 'the approver group';
      if (name) return name;
      if (deps.clock.now().getTime() < nameRetryAt) return 'the approver group';
      try {
        name = (await deps.directory.getGroupProfile(groupId)).displayName;
        return name;
      } catch (error) {
        nameRetryAt = deps.clock.now().getTime() + 60_000;
        deps.log.warn({ err: error, groupId }, 'approver group name not readable');
        return 'the approver group';
      }
    },
    async isApprover(rawUserId) {
      if (!groupId || !isObjectId(rawUserId)) return false;
      const userId = rawUserId.toLowerCase();
      const cached = cache.get(userId);
      if (cached && cached.until > deps.clock.now().getTime()) return cached.isApprover;
      const pending = inFlight.get(userId) ?? check(groupId, userId);
      inFlight.set(userId, pending);
      try {
        return await pending;
      } finally {
        inFlight.delete(userId);
      }
    },
  };
}
