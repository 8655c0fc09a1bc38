import { timingSafeEqual, createHash } from 'node:crypto';
import type { Log, Store } from './ports.js';

export interface IncomingNotification {
  subscriptionId: string;
  clientState: string | null;
  groupId: string | null;
}

export type AcceptResult =
  { kind: 'accepted'; persisted: number; ignored: number } | { kind: 'forged'; reason: string };

const digest = (value: string) => createHash('sha256').update(value).digest();

/** Constant-time whatever the lengths: compares digests, never the strings. */
export function sameSecret(a: string, b: string): boolean {
  return timingSafeEqual(digest(a), digest(b));
}

/**
 * Checks each notification against the stored subscription and persists the ones that are real
 * work. A wrong clientState anywhere means the request did not come from Graph: nothing is kept.
 */
export async function acceptNotifications(
  deps: { store: Store; log: Log; isWatched: (groupId: string) => boolean },
  notifications: IncomingNotification[],
): Promise<AcceptResult> {
  const subscription = await deps.store.getSubscription();
  const work: Array<{ subscriptionId: string; groupId: string }> = [];
  const unknownSubscriptions = new Set<string>();
  let ignored = 0;
  for (const n of notifications) {
    if (!subscription || n.subscriptionId !== subscription.id) {
      unknownSubscriptions.add(n.subscriptionId);
      ignored++;
      continue;
    }
    if (!n.clientState || !sameSecret(n.clientState, subscription.clientState)) {
      return { kind: 'forged', reason: 'clientState does not match the subscription' };
    }
    if (!n.groupId || !deps.isWatched(n.groupId)) {
      ignored++;
      continue;
    }
    work.push({ subscriptionId: n.subscriptionId, groupId: n.groupId });
  }
  if (unknownSubscriptions.size > 0) {
    deps.log.warn(
      { subscriptionIds: [...unknownSubscriptions].slice(0, 10) },
      'notification for unknown subscription dropped',
    );
  }
  const persisted = await deps.store.enqueueInbox(work);
  return { kind: 'accepted', persisted, ignored };
}
