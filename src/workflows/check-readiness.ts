import { describeAlertChannel, type PinnedAlertChannel } from './create-alert-channel-binding.js';
import type { GroupBackoff, GroupTrouble } from './group-backoff.js';
import type {
  ChannelStore,
  Clock,
  Locks,
  Log,
  OutboxStore,
  StoppedCard,
  SubscriptionStore,
} from './ports/index.js';

export interface Readiness {
  /** The store answers and Graph has a live subscription; the other checks inform operators. */
  ready: boolean;
  /** One entry per dependency: "ok" or what is wrong with it. */
  checks: Record<string, string>;
  /** Watched groups Graph keeps refusing, with why and when GroupGuard asks again. */
  groupsBackingOff: GroupTrouble[];
  /** Cards Teams refused for good (bot removed, message deleted), newest first. */
  cardsStopped: StoppedCard[];
}

const REQUIRED = ['store', 'subscription'];
const SHOWN_STOPPED_CARDS = 10;

/**
 * Ready only when the store answers and Graph has a live subscription to notify us through. A
 * broken alert channel or a group in backoff is reported but keeps the replica in rotation:
 * taking it out would not mend either.
 */
export async function checkReadiness(deps: {
  store: Locks & SubscriptionStore & ChannelStore & OutboxStore;
  log: Log;
  clock: Clock;
  groupBackoff?: GroupBackoff;
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
  // Not part of `ready`: taking GroupGuard out of service would also stop the install or
  // command that binds the channel again.
  checks.alertChannel = await deps.store
    .getAlertChannelBinding()
    .then((binding) => describeAlertChannel(binding, deps.alertChannelPin))
    .catch(() => 'unknown: the store did not answer');
  const groupsBackingOff = deps.groupBackoff?.troubled() ?? [];
  checks.watchedGroups =
    groupsBackingOff.length === 0
      ? 'ok'
      : `${groupsBackingOff.length} backing off: ${groupsBackingOff
          .map((g) => `${g.groupId} ${g.reason}, next try ${g.nextTryAt}`)
          .join('; ')}`;
  const cardsStopped = await deps.store
    .listStoppedOutbox(SHOWN_STOPPED_CARDS)
    .catch(() => [] as StoppedCard[]);
  return {
    ready: REQUIRED.every((name) => checks[name] === 'ok'),
    checks,
    groupsBackingOff,
    cardsStopped,
  };
}
