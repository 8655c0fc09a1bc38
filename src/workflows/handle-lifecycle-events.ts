import { sameSecret } from './accept-notifications.js';
import type { Log, SubscriptionStore } from './ports/index.js';

export interface LifecycleNotification {
  subscriptionId: string;
  clientState: string | null;
  lifecycleEvent: string | null;
}

export interface LifecycleEvents {
  /** Checks and records the events; a wrong clientState anywhere records none (`forged`). */
  accept(notifications: LifecycleNotification[]): Promise<{ forged: boolean; accepted: number }>;
  /** Handles every recorded event at once: one renewal and one sweep for a burst. Returns 0. */
  run(): Promise<number>;
}

/**
 * Graph's lifecycle events for our subscription. The work runs after the 202 (Graph wants the
 * answer within 3 s), in one worker, so a burst becomes one renewal and one sweep.
 */
export function createLifecycleEvents(deps: {
  store: SubscriptionStore;
  log: Log;
  /** Reauthorizes and renews, or recreates a subscription Graph dropped. */
  renew: () => Promise<unknown>;
  /** Catches up on what notifications a paused subscription did not deliver. */
  sweep: () => Promise<unknown>;
  /** Asks the worker to run soon. */
  kick: () => void;
}): LifecycleEvents {
  const pending = new Set<string>();
  return {
    async accept(notifications) {
      const subscription = await deps.store.getSubscription();
      const events: string[] = [];
      for (const n of notifications) {
        if (!subscription || n.subscriptionId !== subscription.id) continue;
        if (!n.clientState || !sameSecret(n.clientState, subscription.clientState)) {
          return { forged: true, accepted: 0 };
        }
        deps.log.warn(
          { subscriptionId: n.subscriptionId, lifecycleEvent: n.lifecycleEvent },
          'graph lifecycle event received',
        );
        if (n.lifecycleEvent) events.push(n.lifecycleEvent);
      }
      for (const event of events) pending.add(event);
      if (events.length > 0) deps.kick();
      return { forged: false, accepted: events.length };
    },
    async run() {
      const events = [...pending];
      pending.clear();
      if (events.length === 0) return 0;
      try {
        if (events.some((e) => e === 'reauthorizationRequired' || e === 'subscriptionRemoved')) {
          await deps.renew();
        }
        await deps.sweep();
      } catch (error) {
        deps.log.error(
          { err: error, lifecycleEvents: events },
          'lifecycle event handling failed, renewal timer retries',
        );
      }
      return 0;
    },
  };
}
