import { describeAlertChannel, type PinnedAlertChannel } from './create-alert-channel-binding.js';
import type { ChannelStore, Clock, Locks, Log, SubscriptionStore } from './ports/index.js';

export interface Readiness {
  ready: boolean;
  /** One entry per dependency: "ok" or what is wrong with it. */
  checks: Record<string, string>;
  /**
   * "ok" or why cards wait. Not part of `ready`: taking GroupGuard out of service would also
   * stop the install or command that binds the channel again.
   */
  alertChannel: string;
}

/** Ready only when the store answers and Graph has a live subscription to notify us through. */
export async function checkReadiness(deps: {
  store: Locks & SubscriptionStore & ChannelStore;
  log: Log;
  clock: Clock;
  alertChannelPin: PinnedAlertChannel | null;
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
  const alertChannel = await deps.store
    .getAlertChannelBinding()
    .then((binding) => describeAlertChannel(binding, deps.alertChannelPin))
    .catch(() => 'unknown: the store did not answer');
  return { ready: Object.values(checks).every((c) => c === 'ok'), checks, alertChannel };
}
