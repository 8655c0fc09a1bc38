import { privilegeOf, type Case } from '../core/case.js';
import type { Clock, DirectoryReads, Log } from './ports/index.js';

/** Why a case's group needs two approvers and a reason, or null; asks Graph about nesting. */
export interface PrivilegePolicy {
  privilegeOf(c: Pick<Case, 'groupId' | 'groupIsRoleAssignable'>): Promise<string | null>;
}

const NESTING_TTL_MS = 60_000;
/** Graph's checkMemberGroups takes at most 20 group ids per request. */
const CHECK_LIMIT = 20;

/**
 * `tier0GroupIds` (lowercase) holds the configured tier 0 groups and the approver group: whoever
 * joins the approver group decides cases. A group nested in one of them, at any depth, grants
 * what they grant, so it is privileged too. When Graph cannot say, the group counts as
 * privileged: a second approver is the safe side of an outage.
 */
export function createPrivilegePolicy(
  deps: { directory: DirectoryReads; log: Log; clock: Clock },
  tier0GroupIds: ReadonlySet<string>,
): PrivilegePolicy {
  const cache = new Map<string, { nestedIn: boolean; until: number }>();
  const parents = [...tier0GroupIds];

  const isNested = async (groupId: string): Promise<boolean> => {
    const key = groupId.toLowerCase();
    const cached = cache.get(key);
    if (cached && cached.until > deps.clock.now().getTime()) return cached.nestedIn;
    let nestedIn = false;
    for (let i = 0; i < parents.length && !nestedIn; i += CHECK_LIMIT) {
      const found = await deps.directory.checkMemberGroups(key, parents.slice(i, i + CHECK_LIMIT));
      nestedIn = found.length > 0;
    }
    if (cache.size > 10_000) cache.clear();
    cache.set(key, { nestedIn, until: deps.clock.now().getTime() + NESTING_TTL_MS });
    return nestedIn;
  };

  return {
    async privilegeOf(c) {
      const direct = privilegeOf(c, tier0GroupIds);
      if (direct || parents.length === 0) return direct;
      try {
        return (await isNested(c.groupId)) ? 'group nested in a tier 0 group' : null;
      } catch (error) {
        deps.log.warn({ err: error, groupId: c.groupId }, 'group nesting not readable from Graph');
        return 'group whose nesting Graph could not confirm';
      }
    },
  };
}
