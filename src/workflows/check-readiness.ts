import type { Clock, Locks, Log, SubscriptionStore } from './ports/index.js';

export interface Readiness {
  ready: boolean;
  /** One entry per dependency: "ok" or what is wrong with it. */
  checks: Record<string, string>;
}

/** Ready only when the store answers and Graph has a live subscription to notify us through. */
export async function checkReadiness(deps: {
  store: Locks & SubscriptionStore;
  log: Log;
  clock: Clock;
}): Promise<Readiness> {
  const checks: Record<string, string> = {};
  try {
    await deps.store.ping();
    checks.store = 'ok';
  } catch (error) {
    deps.log.warn({ err: error }, 'readiness: store unavailable');
    checks.store = 'unavailable';
  }
  const subscription = await deps.store.getSubscription().catch(() => null);
  checks.subscription = !subscription
    ? 'missing'
    : Date.parse(subscription.expiresAt) <= deps.clock.now().getTime()
      ? 'expired'
      : 'ok';
  return { ready: Object.values(checks).every((c) => c === 'ok'), checks };
}
