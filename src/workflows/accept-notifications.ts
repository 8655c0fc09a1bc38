import { timingSafeEqual, createHash } from 'node:crypto';
import type { InboxStore, Log, SubscriptionStore } from './ports/index.js';

export interface IncomingNotification {
  subscriptionId: string;
  clientState: string | null;
  tenantId: string | null;
  groupId: string | null;
}

export interface AcceptDeps {
  store: SubscriptionStore & InboxStore;
  log: Log;
  /** The tenant our subscription lives in; notifications for any other are dropped. */
  tenantId: string;
  isWatched: (groupId: string) => boolean;
  /** Unknown subscription ids already logged, so a stray sender is reported once, not per POST. */
  reportedUnknown: Set<string>;
  /** Tells the inbox worker there is work. */
  wakeInbox: () => void;
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
 * work, one inbox row per group however many notifications name it. A wrong clientState anywhere
 * means the request did not come from Graph: nothing is kept. Unknown subscriptions and tenants
 * are acknowledged and dropped.
 */
export async function acceptNotifications(
  deps: AcceptDeps,
  notifications: IncomingNotification[],
): Promise<AcceptResult> {
  const subscription = await deps.store.getSubscription();
  const work = new Map<string, { subscriptionId: string; groupId: string }>();
  const unknownSubscriptions = new Set<string>();
  let ignored = 0;
  for (const n of notifications) {
    const foreignTenant =
      n.tenantId !== null && n.tenantId.toLowerCase() !== deps.tenantId.toLowerCase();
    if (!subscription || n.subscriptionId !== subscription.id || foreignTenant) {
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
    work.set(n.groupId, { subscriptionId: n.subscriptionId, groupId: n.groupId });
  }
  const firstSeen = [...unknownSubscriptions].filter((id) => !deps.reportedUnknown.has(id));
  if (firstSeen.length > 0) {
    if (deps.reportedUnknown.size < 10_000)
      for (const id of firstSeen) deps.reportedUnknown.add(id);
    deps.log.warn(
      { subscriptionIds: firstSeen.slice(0, 10) },
      'notification for unknown subscription or tenant dropped',
    );
  }
  const persisted = await deps.store.enqueueInbox([...work.values()]);
  if (persisted > 0) deps.wakeInbox();
  return { kind: 'accepted', persisted, ignored };
}
