import type { CaseStore, ChannelStore, Log, Messenger, OutboxStore } from './ports/index.js';

const LEASE_MS = 60_000;
const MAX_BACKOFF_MS = 60_000;

/**
 * Brings each case's card in Teams up to date: posts it when it has none, updates it otherwise.
 * A crash after Teams accepted a post but before we recorded it is the one way to get a
 * second card for a case.
 */
export async function deliverCards(
  deps: { store: OutboxStore & CaseStore & ChannelStore; messenger: Messenger; log: Log },
  limit = 20,
): Promise<number> {
  const items = await deps.store.claimOutbox(limit, LEASE_MS);
  if (items.length === 0) return 0;
  const channel = await deps.store.getAlertChannel();
  for (const item of items) {
    const c = await deps.store.getCase(item.caseId);
    if (!c) continue;
    try {
      if (c.card) {
        await deps.messenger.updateCaseCard(c.card, c);
        await deps.store.completeCardSync(c.id, c.version, null);
      } else if (channel) {
        const card = await deps.messenger.postCaseCard({ channel, case: c });
        await deps.store.completeCardSync(c.id, c.version, card);
      } else {
        deps.log.warn({ caseId: c.id }, 'no alert channel bound yet, card waits');
        await deps.store.retryOutbox(c.id, 5_000, 'no alert channel');
      }
    } catch (error) {
      const delay = Math.min(MAX_BACKOFF_MS, 500 * 2 ** Math.min(item.attempts, 10));
      deps.log.warn(
        { err: error, caseId: c.id, attempts: item.attempts },
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
