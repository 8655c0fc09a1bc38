import { randomBytes } from 'node:crypto';
import type { Clock, Directory, Log, Store, SubscriptionRecord } from './ports.js';

export const SUBSCRIPTION_RESOURCE = 'groups';
/** Graph's limit for directory resources is 41,760 minutes; stay a little inside it. */
export const SUBSCRIPTION_LIFETIME_MINUTES = 41_000;

/**
 * Reuses the stored subscription when Graph still has it, else creates one with a fresh
 * clientState. Graph validates the notification URL during creation, so the HTTP server must
 * already be listening.
 */
export async function ensureSubscription(
  deps: { store: Store; directory: Directory; log: Log; clock: Clock },
  publicUrl: string,
): Promise<SubscriptionRecord> {
  const stored = await deps.store.getSubscription();
  if (stored) {
    const remote = (await deps.directory.listSubscriptions()).find((s) => s.id === stored.id);
    if (
      remote &&
      Date.parse(remote.expirationDateTime) > deps.clock.now().getTime() + 60 * 60_000
    ) {
      deps.log.info(
        { subscriptionId: stored.id, expiresAt: remote.expirationDateTime },
        'graph subscription reused',
      );
      return { ...stored, expiresAt: remote.expirationDateTime };
    }
  }
  const clientState = randomBytes(48).toString('base64url');
  const expirationDateTime = new Date(
    deps.clock.now().getTime() + SUBSCRIPTION_LIFETIME_MINUTES * 60_000,
  ).toISOString();
  const created = await deps.directory.createSubscription({
    resource: SUBSCRIPTION_RESOURCE,
    notificationUrl: `${publicUrl}/api/graph/notifications`,
    lifecycleNotificationUrl: `${publicUrl}/api/graph/lifecycle`,
    clientState,
    expirationDateTime,
  });
  const record = {
    id: created.id,
    clientState,
    resource: SUBSCRIPTION_RESOURCE,
    expiresAt: created.expirationDateTime,
  };
  await deps.store.saveSubscription(record);
  deps.log.info(
    { subscriptionId: created.id, expiresAt: created.expirationDateTime },
    'graph subscription created',
  );
  return record;
}
