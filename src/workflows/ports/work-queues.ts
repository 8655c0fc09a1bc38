import type { CardRef } from '../../core/case.js';

export interface InboxItem {
  id: number;
  subscriptionId: string;
  groupId: string;
  receivedAt: string;
  /** Claims so far, this one included. */
  attempts: number;
}

/** A case whose card in Teams is behind the case (never posted, or posted with an older version). */
export interface OutboxItem {
  caseId: number;
  attempts: number;
}

/** Notifications persisted by the webhook, worked off by the inbox worker. */
export interface InboxStore {
  /** Persists notifications for later work; returns how many were new. */
  enqueueInbox(items: Array<{ subscriptionId: string; groupId: string }>): Promise<number>;
  claimInbox(limit: number, leaseMs: number): Promise<InboxItem[]>;
  deleteInbox(ids: number[]): Promise<void>;
  /** Notifications not yet worked off, claimed or not. */
  countInbox(): Promise<number>;
  /** Gives claimed items back after `delayMs`, for a retry with backoff. */
  releaseInbox(ids: number[], delayMs: number): Promise<void>;
}

/** Cards to post or update, filled in the same transaction as the case change. */
export interface OutboxStore {
  /** Leases due outbox entries for `leaseMs`, so a crashed worker's entries come back. */
  claimOutbox(limit: number, leaseMs: number): Promise<OutboxItem[]>;
  /** Records the posted card (if new) and clears the entry unless the case moved past `renderedVersion`. */
  completeCardSync(caseId: number, renderedVersion: number, card: CardRef | null): Promise<void>;
  retryOutbox(caseId: number, delayMs: number, error: string): Promise<void>;
  /** Stops retrying this card and records why; a later change of the case tries again. */
  stopOutbox(caseId: number, reason: string): Promise<void>;
  /** Cards GroupGuard stopped trying to deliver, newest first. */
  listStoppedOutbox(limit: number): Promise<StoppedCard[]>;
}

export interface StoppedCard {
  caseId: number;
  reason: string;
  stoppedAt: string;
}
