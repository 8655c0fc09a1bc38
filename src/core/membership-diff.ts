export interface MemberDelta {
  id: string;
  removed: boolean;
}

export interface MembershipDiff {
  added: string[];
  removed: string[];
}

/**
 * Delta replays changes and may repeat a member across pages, so only a change against the
 * snapshot counts: a removal of someone the snapshot lacks is not a removal.
 */
export function diffMembership(
  snapshot: ReadonlySet<string>,
  deltas: MemberDelta[],
): MembershipDiff {
  const finalState = new Map<string, boolean>();
  for (const delta of deltas) finalState.set(delta.id, !delta.removed);
  const added: string[] = [];
  const removed: string[] = [];
  for (const [id, isMember] of finalState) {
    if (isMember && !snapshot.has(id)) added.push(id);
    if (!isMember && snapshot.has(id)) removed.push(id);
  }
  return { added, removed };
}

/** After a full resync the complete member list replaces the snapshot. */
export function diffFullMembership(
  snapshot: ReadonlySet<string>,
  members: ReadonlySet<string>,
): MembershipDiff {
  return {
    added: [...members].filter((id) => !snapshot.has(id)),
    removed: [...snapshot].filter((id) => !members.has(id)),
  };
}
