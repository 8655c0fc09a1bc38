import { isSettled, type Actor, type Case } from '../core/case.js';
import { AUDIT_PERMISSION, type PermissionNotes } from './permission-notes.js';
import {
  PermissionMissingError,
  type CaseStore,
  type Clock,
  type DirectoryReads,
  type Log,
} from './ports/index.js';

/** How far back from detection a removal can have happened (a sweep after downtime finds it late). */
const LOOKBACK_MS = 7 * 24 * 60 * 60_000;
/** Entra's clock and ours disagree a little; a record much later is a later removal. */
const CLOCK_SLACK_MS = 5 * 60_000;
/** Tight on the early side: an earlier removal of the same member must stay out. */
const SEEN_SLACK_MS = 5_000;
const RETRY_AFTER_MS = 10_000;

/** The directory audit log's answer to "who removed this member", for one case. */
export function findActorFor(
  directory: DirectoryReads,
  c: Pick<Case, 'groupId' | 'memberId' | 'removedAt' | 'memberSeenAt'>,
): Promise<Actor | null> {
  const detected = Date.parse(c.removedAt);
  const notBefore = c.memberSeenAt
    ? Date.parse(c.memberSeenAt) - SEEN_SLACK_MS
    : detected - LOOKBACK_MS;
  return directory.findRemovalActor({
    groupId: c.groupId,
    memberId: c.memberId,
    notBefore: new Date(notBefore).toISOString(),
    notAfter: new Date(detected + CLOCK_SLACK_MS).toISOString(),
  });
}

/**
 * Looks the actor up for a case that does not know it yet and stores it (a new case version,
 * so the card shows it). Returns the updated case, or null when the log still does not say,
 * someone else changed the case first, or `signal` says the caller stopped waiting (a click
 * must not lose its own write to a lookup it gave up on). Lookups of one case are at least
 * 10 s apart: the audit log lags minutes behind, and every refresh of a card would otherwise ask.
 */
export function createActorResolver(deps: {
  store: CaseStore;
  directory: DirectoryReads;
  log: Log;
  clock: Clock;
  onCaseChanged: () => void;
  permissions?: PermissionNotes;
}): (c: Case, signal?: AbortSignal) => Promise<Case | null> {
  const lastTried = new Map<number, number>();
  return async (c, signal) => {
    if (c.actor || isSettled(c.status)) return null;
    const now = deps.clock.now().getTime();
    if ((lastTried.get(c.id) ?? 0) + RETRY_AFTER_MS > now) return null;
    if (lastTried.size > 10_000) lastTried.clear();
    lastTried.set(c.id, now);
    let actor: Actor | null;
    try {
      actor = await findActorFor(deps.directory, c);
      deps.permissions?.granted(AUDIT_PERMISSION);
    } catch (error) {
      if (error instanceof PermissionMissingError) deps.permissions?.missing(AUDIT_PERMISSION);
      deps.log.warn({ err: error, caseId: c.id }, 'directory audit lookup failed');
      return null;
    }
    if (!actor || signal?.aborted) return null;
    const updated = await deps.store.updateCase(c.id, c.version, {
      status: c.status,
      decision: c.decision,
      lastError: c.lastError,
      actor,
    });
    if (updated) {
      deps.log.info({ caseId: c.id, actor: actor.id }, 'actor found in the audit log');
      deps.onCaseChanged();
    }
    return updated;
  };
}
