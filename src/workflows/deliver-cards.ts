import { backoffDelay } from '../core/backoff.js';
import {
  TeamsRefusedError,
  type BoundAlertChannel,
  type CaseStore,
  type ChannelStore,
  type Log,
  type Messenger,
  type OutboxStore,
} from './ports/index.js';

const LEASE_MS = 60_000;
const RETRY = { initialMs: 1_000, maxMs: 60_000 };
/** Cards for an unbound or broken channel look again this often; Teams is not called meanwhile. */
const CHANNEL_WAIT_MS = 5_000;

export const BOT_REMOVED =
  'Teams refused the bot in the alert channel (403/404: removed from the team?); cards wait until it is installed again';
export const MESSAGE_DELETED =
  'Teams answered 404: the card was deleted in Teams; GroupGuard no longer updates it';

const channelOf = (conversationId: string) => conversationId.split(';')[0];

/**
 * Brings each case's card in Teams up to date: posts it when it has none, updates it otherwise.
 * A crash after Teams accepted a post but before we recorded it is the one way to get a
 * second card for a case. Teams' 403 (bot removed) and 404 (message deleted) are final: the
 * card stops being retried, and a 403 marks the alert channel broken until one is bound again.
 */
export async function deliverCards(
  deps: { store: OutboxStore & CaseStore & ChannelStore; messenger: Messenger; log: Log },
  limit = 20,
): Promise<number> {
  const items = await deps.store.claimOutbox(limit, LEASE_MS);
  if (items.length === 0) return 0;
  let channel: BoundAlertChannel | null = await deps.store.getAlertChannel();
  for (const item of items) {
    const c = await deps.store.getCase(item.caseId);
    if (!c) continue;
    try {
      if (c.card) {
        await deps.messenger.updateCaseCard(c.card, c);
        await deps.store.completeCardSync(c.id, c.version, null);
      } else if (channel && !channel.broken) {
        const card = await deps.messenger.postCaseCard({ channel, case: c });
        await deps.store.completeCardSync(c.id, c.version, card);
      } else {
        const why = channel?.broken ? `alert channel broken: ${channel.broken.reason}` : null;
        deps.log.warn({ caseId: c.id, why }, 'no usable alert channel, card waits');
        await deps.store.retryOutbox(c.id, CHANNEL_WAIT_MS, why ?? 'no alert channel');
      }
    } catch (error) {
      if (error instanceof TeamsRefusedError) {
        // A refused post, or a refused update in the alert channel: that channel is unusable.
        const channelGone =
          channel !== null &&
          (!c.card ||
            (error.status === 403 &&
              channelOf(c.card.conversationId) === channelOf(channel.channelId)));
        const reason = error.status === 403 || !c.card ? BOT_REMOVED : MESSAGE_DELETED;
        if (channel && channelGone) {
          await deps.store.markAlertChannelBroken(channel, reason);
          channel = { ...channel, broken: { reason, since: new Date().toISOString() } };
          deps.log.error(
            { teamId: channel.teamId, caseId: c.id, status: error.status },
            'alert channel broken: Teams refused the bot there',
          );
        }
        if (c.card) {
          deps.log.warn({ caseId: c.id, status: error.status }, 'card update refused, stopped');
          await deps.store.stopOutbox(c.id, reason);
        } else {
          // Never posted: it goes out once a channel is bound again.
          await deps.store.retryOutbox(c.id, CHANNEL_WAIT_MS, reason);
        }
        continue;
      }
      const delay = backoffDelay(item.attempts, RETRY, Math.random());
      deps.log.warn(
        { err: error, caseId: c.id, attempts: item.attempts, delayMs: delay },
        'card delivery failed, will retry',
      );
      await deps.store.retryOutbox(
        c.id,
        delay,
        error instanceof Error ? error.message : String(error),
      );
    }
  }
  return items.length;
}
