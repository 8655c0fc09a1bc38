import { randomBytes } from 'node:crypto';
import {
  SubscriptionGoneError,
  type Clock,
  type GraphSubscriptions,
  type Locks,
  type Log,
  type SubscriptionRecord,
  type SubscriptionStore,
} from './ports/index.js';

export const SUBSCRIPTION_RESOURCE = 'groups';

export interface SubscriptionPolicy {
  /** Graph allows at most 41,760 minutes for directory resources. */
  lifetimeMinutes: number;
  /** Renew when less than this remains. */
  renewBeforeMinutes: number;
}

export interface SubscriptionDeps {
  store: Locks & SubscriptionStore;
  directory: GraphSubscriptions;
  log: Log;
  clock: Clock;
}

export type SubscriptionOutcome = 'reused' | 'renewed' | 'created' | 'busy';

const expiry = (deps: SubscriptionDeps, policy: SubscriptionPolicy) =>
  new Date(deps.clock.now().getTime() + policy.lifetimeMinutes * 60_000).toISOString();

async function create(
  deps: SubscriptionDeps,
  publicUrl: string,
  policy: SubscriptionPolicy,
): Promise<SubscriptionRecord> {
  const clientState = randomBytes(48).toString('base64url');
  const created = await deps.directory.createSubscription({
    resource: SUBSCRIPTION_RESOURCE,
    notificationUrl: `${publicUrl}/api/graph/notifications`,
    lifecycleNotificationUrl: `${publicUrl}/api/graph/lifecycle`,
    clientState,
    expirationDateTime: expiry(deps, policy),
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

/**
 * Reconciles with Graph at start: reuses the stored subscription when Graph still lists it, else
 * creates one with a fresh clientState. Graph validates the notification URL while creating, so
 * the HTTP server must already listen. Subscriptions this app holds for this notification URL
 * that the store does not know (a lost store, a crash between create and save) are deleted
 * first: Graph caps group subscriptions at 100 per app and tenant, and each would post every
 * change to us again. One replica at a time.
 */
export async function ensureSubscription(
  deps: SubscriptionDeps,
  publicUrl: string,
  policy: SubscriptionPolicy,
): Promise<SubscriptionOutcome> {
  const notificationUrl = `${publicUrl}/api/graph/notifications`;
  const result = await deps.store.withLock(
    'subscription',
    true,
    async (): Promise<SubscriptionOutcome> => {
      const stored = await deps.store.getSubscription();
      // With application permissions Graph lists only the subscriptions this app created.
      const remotes = await deps.directory.listSubscriptions();
      const remote = stored ? remotes.find((s) => s.id === stored.id) : undefined;
      if (stored && remote && remote.notificationUrl !== notificationUrl) {
        // PUBLIC_URL changed: Graph would keep posting to the old address.
        deps.log.warn(
          { subscriptionId: stored.id },
          'notification URL changed, replacing the subscription',
        );
        await deps.directory.deleteSubscription(stored.id);
      }
      const keep =
        stored &&
        remote &&
        remote.notificationUrl === notificationUrl &&
        Date.parse(remote.expirationDateTime) > deps.clock.now().getTime()
          ? stored
          : null;
      for (const orphan of remotes) {
        if (orphan.notificationUrl !== notificationUrl || orphan.id === keep?.id) continue;
        await deps.directory.deleteSubscription(orphan.id);
        deps.log.warn(
          { subscriptionId: orphan.id, resource: orphan.resource },
          'graph subscription the store does not know deleted',
        );
      }
      if (keep && remote) {
        deps.log.info(
          { subscriptionId: keep.id, expiresAt: remote.expirationDateTime },
          'graph subscription reused',
        );
        await deps.store.saveSubscription({ ...keep, expiresAt: remote.expirationDateTime });
        return 'reused';
      }
      await create(deps, publicUrl, policy);
      return 'created';
    },
  );
  return result.locked ? result.value : 'busy';
}

/**
 * Renews before expiry (one renewer across replicas). A subscription Graph no longer has is
 * created again; the caller then sweeps, since notifications were lost in between.
 */
export async function renewSubscription(
  deps: SubscriptionDeps,
  publicUrl: string,
  policy: SubscriptionPolicy,
  options: { force: boolean },
): Promise<SubscriptionOutcome> {
  const result = await deps.store.withLock(
    'subscription',
    false,
    async (): Promise<SubscriptionOutcome> => {
      const stored = await deps.store.getSubscription();
      if (!stored) {
        await create(deps, publicUrl, policy);
        return 'created';
      }
      const remaining = Date.parse(stored.expiresAt) - deps.clock.now().getTime();
      if (!options.force && remaining > policy.renewBeforeMinutes * 60_000) return 'reused';
      try {
        if (options.force) await deps.directory.reauthorizeSubscription(stored.id);
        const renewed = await deps.directory.renewSubscription(stored.id, expiry(deps, policy));
        await deps.store.saveSubscription({ ...stored, expiresAt: renewed.expirationDateTime });
        deps.log.info(
          { subscriptionId: stored.id, expiresAt: renewed.expirationDateTime },
          'graph subscription renewed',
        );
        return 'renewed';
      } catch (error) {
        if (!(error instanceof SubscriptionGoneError)) throw error;
        deps.log.warn({ subscriptionId: stored.id }, 'graph subscription gone, creating a new one');
        await create(deps, publicUrl, policy);
        return 'created';
      }
    },
  );
  return result.locked ? result.value : 'busy';
}
