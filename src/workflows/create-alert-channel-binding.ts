import type {
  AlertChannel,
  AlertChannelBinding,
  ChannelStore,
  Log,
  Person,
} from './ports/index.js';

/** ALERT_TEAM_ID / ALERT_CHANNEL_ID: the only channel cards may go to. */
export interface PinnedAlertChannel {
  teamId: string;
  channelId: string;
}

export type BindOutcome =
  | { kind: 'bound'; previous: AlertChannel | null }
  | { kind: 'pinned'; pinned: PinnedAlertChannel }
  | { kind: 'not-approver' };

export interface AlertChannelBinder {
  /** Teams shows the bot in this channel (an install, a message there). */
  offer(channel: AlertChannel): Promise<void>;
  /** The bot was removed from this team. */
  release(teamId: string): Promise<void>;
  /** An approver binds or moves the alert channel here (`alerts here`). */
  bind(channel: AlertChannel, by: Person): Promise<BindOutcome>;
  /** At start: a binding other than the pinned channel no longer receives cards. */
  enforcePin(): Promise<void>;
}

export interface AlertChannelBindingDeps {
  store: ChannelStore;
  log: Log;
  pinned: PinnedAlertChannel | null;
  approvers: { isApprover(userId: string): Promise<boolean> };
}

const isPinned = (pin: PinnedAlertChannel, c: { teamId: string; channelId: string }) =>
  c.teamId === pin.teamId && c.channelId === pin.channelId;

/**
 * Who may point security alerts somewhere: the configuration (a pin), else the first team to
 * install the bot, else an approver. Removing the bot from the alert team unbinds it, and cases
 * then wait; a team that installs the bot later never receives them by itself.
 */
export function createAlertChannelBinding(deps: AlertChannelBindingDeps): AlertChannelBinder {
  const { store, log, pinned } = deps;
  return {
    async offer(channel) {
      if (pinned) {
        if (channel.teamId !== pinned.teamId) return;
        const target = { ...channel, channelId: pinned.channelId };
        const binding = await store.getAlertChannelBinding();
        const current =
          binding.status === 'bound' &&
          isPinned(pinned, binding.channel) &&
          binding.channel.serviceUrl === target.serviceUrl;
        if (current) return;
        await store.setAlertChannel(target);
        if (binding.status !== 'bound') log.info({ ...pinned }, 'pinned alert channel bound');
        return;
      }
      const outcome = await store.claimAlertChannel(channel);
      if (outcome === 'bound') {
        log.info({ teamId: channel.teamId, channelId: channel.channelId }, 'alert channel bound');
      } else if (outcome === 'taken') {
        const binding = await store.getAlertChannelBinding();
        if (binding.status === 'unbound') {
          log.warn(
            { teamId: channel.teamId },
            'bot seen in another team while the alert channel is unbound: cards wait for an approver',
          );
        }
      }
    },

    async release(teamId) {
      if (!(await store.unbindAlertChannel(teamId))) return;
      log.warn({ teamId }, 'bot removed from the alert team: alert channel unbound, cards wait');
    },

    async bind(channel, by) {
      if (pinned && !isPinned(pinned, channel)) return { kind: 'pinned', pinned };
      if (!(await deps.approvers.isApprover(by.id))) {
        log.warn(
          { by: by.id, teamId: channel.teamId },
          'alert channel bind refused: not an approver',
        );
        return { kind: 'not-approver' };
      }
      const binding = await store.getAlertChannelBinding();
      const previous = binding.status === 'unset' ? null : binding.channel;
      await store.setAlertChannel(channel);
      log.warn(
        {
          by: by.id,
          byName: by.name,
          from: previous && { teamId: previous.teamId, channelId: previous.channelId },
          to: { teamId: channel.teamId, channelId: channel.channelId },
        },
        'alert channel bound by an approver',
      );
      return { kind: 'bound', previous };
    },

    async enforcePin() {
      if (!pinned) return;
      const binding = await store.getAlertChannelBinding();
      if (binding.status !== 'bound' || isPinned(pinned, binding.channel)) return;
      await store.unbindAlertChannel(binding.channel.teamId);
      log.warn(
        { teamId: binding.channel.teamId, pinned },
        'alert channel is not the pinned one: unbound until GroupGuard is seen in the pinned team',
      );
    },
  };
}

/** What /readyz and `status` say about the alert channel: "ok" or what is wrong. */
export function describeAlertChannel(
  binding: AlertChannelBinding,
  pinned: PinnedAlertChannel | null,
): string {
  const rebind = pinned
    ? 'until GroupGuard is installed in the pinned team (ALERT_TEAM_ID)'
    : 'until an approver binds a channel ("alerts here")';
  switch (binding.status) {
    case 'bound':
      return binding.channel.broken
        ? `broken since ${binding.channel.broken.since}: ${binding.channel.broken.reason}; cards wait until GroupGuard is back in that team`
        : 'ok';
    case 'unset':
      return pinned
        ? 'not bound yet: cards wait until GroupGuard is installed in the pinned team (ALERT_TEAM_ID)'
        : 'not bound yet: cards wait until GroupGuard is installed in the security team';
    case 'unbound':
      return `unbound since ${binding.since}: GroupGuard was removed from the alert team; cards wait ${rebind}`;
  }
}
