import { restoreBlockedReason, type Case, type FoundBy } from '../core/case.js';
import { diffFullMembership, diffMembership } from '../core/membership-diff.js';
import { findActorFor } from './create-actor-resolver.js';
import {
  AUDIT_PERMISSION,
  NAME_PERMISSION,
  NAME_UNAVAILABLE,
  type PermissionNotes,
} from './permission-notes.js';
import {
  DeltaTokenExpiredError,
  PermissionMissingError,
  type Actor,
  type Clock,
  type DirectoryReads,
  type Locks,
  type Log,
  type NewCase,
  type SnapshotStore,
} from './ports/index.js';

export interface SyncGroupDeps {
  store: Locks & SnapshotStore;
  directory: DirectoryReads;
  log: Log;
  clock: Clock;
  /** Where a 403 on a name or audit lookup is noted, so cards say which permission is missing. */
  permissions?: PermissionNotes;
}

export interface SyncResult {
  opened: Case[];
  baseline: boolean;
  resynced: boolean;
}

const MAX_ATTEMPTS = 5;

/**
 * Reads groups delta for one group and commits the membership change. Exactly once comes from
 * the snapshot: a removal opens a case only for a member the snapshot holds, and the snapshot,
 * the cases and the new delta link commit together, conditional on the link we started from.
 */
export async function syncGroup(
  deps: SyncGroupDeps,
  groupId: string,
  foundBy: FoundBy,
): Promise<SyncResult> {
  // One reader per group across replicas; the conditional commit stays the real guard.
  const result = await deps.store.withLock(`group-sync:${groupId}`, true, () =>
    readAndCommit(deps, groupId, foundBy),
  );
  if (!result.locked) throw new Error(`group ${groupId}: sync lock not granted`);
  return result.value;
}

async function readAndCommit(
  deps: SyncGroupDeps,
  groupId: string,
  foundBy: FoundBy,
): Promise<SyncResult> {
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const watched = await deps.store.getWatchedGroup(groupId);
    const baseline = watched?.deltaLink == null;
    let resynced = false;
    let page;
    try {
      page = await deps.directory.readGroupDelta(groupId, watched?.deltaLink ?? null);
    } catch (error) {
      if (!(error instanceof DeltaTokenExpiredError)) throw error;
      deps.log.warn({ groupId }, 'delta token expired, resyncing from a full member list');
      page = await deps.directory.readGroupDelta(groupId, null);
      resynced = true;
    }

    const snapshot = watched?.members ?? new Set<string>();
    const diff = page.fullSync
      ? diffFullMembership(
          snapshot,
          new Set(page.deltas.filter((d) => !d.removed).map((d) => d.id)),
        )
      : diffMembership(snapshot, page.deltas);
    // The first full read is the baseline: nobody was removed, we just learned who is there.
    const removals = baseline ? [] : diff.removed;

    const profile = await deps.directory.getGroupProfile(groupId);
    const removedAt = deps.clock.now().toISOString();
    const cases: NewCase[] = [];
    for (const memberId of removals) {
      cases.push({
        groupId,
        groupName: profile.displayName,
        memberId,
        memberName: await displayNameOf(deps, memberId),
        removedAt,
        foundBy: resynced ? 'sweep' : foundBy,
        restoreBlockedReason: restoreBlockedReason(profile),
        groupIsRoleAssignable: profile.isAssignableToRole,
        memberSeenAt: watched?.syncedAt ?? null,
        // Best effort: the audit log often lags minutes; clicks and card refreshes ask again.
        actor: await actorOf(deps, {
          groupId,
          memberId,
          removedAt,
          memberSeenAt: watched?.syncedAt ?? null,
        }),
      });
    }
    const opened = await deps.store.commitGroupSync({
      groupId,
      expectedDeltaLink: watched?.deltaLink ?? null,
      newDeltaLink: page.deltaLink,
      profile,
      added: diff.added,
      removed: diff.removed,
      cases,
    });
    if (opened) {
      if (opened.length > 0) {
        deps.log.info({ groupId, caseIds: opened.map((c) => c.id) }, 'cases opened for removals');
      }
      return { opened, baseline, resynced };
    }
    deps.log.debug({ groupId, attempt }, 'another worker synced this group first, reading again');
  }
  throw new Error(
    `group ${groupId}: delta link kept moving, gave up after ${MAX_ATTEMPTS} attempts`,
  );
}

/** A 403 degrades the name on the card instead of failing the sync (and losing the case). */
async function displayNameOf(deps: SyncGroupDeps, memberId: string): Promise<string> {
  try {
    const name = await deps.directory.getDisplayName(memberId);
    deps.permissions?.granted(NAME_PERMISSION);
    return name;
  } catch (error) {
    if (!(error instanceof PermissionMissingError)) throw error;
    deps.permissions?.missing(NAME_PERMISSION);
    deps.log.warn({ memberId, permission: error.permission }, 'display name lookup forbidden');
    return NAME_UNAVAILABLE;
  }
}

async function actorOf(
  deps: SyncGroupDeps,
  removal: Parameters<typeof findActorFor>[1],
): Promise<Actor | null> {
  try {
    const actor = await findActorFor(deps.directory, removal);
    deps.permissions?.granted(AUDIT_PERMISSION);
    return actor;
  } catch (error) {
    if (error instanceof PermissionMissingError) deps.permissions?.missing(AUDIT_PERMISSION);
    deps.log.warn(
      { err: error, groupId: removal.groupId, memberId: removal.memberId },
      'directory audit lookup failed',
    );
    return null;
  }
}
