import type { Case, CardRef } from '../../core/case.js';

/** Where case cards go: a Teams channel the bot was installed in. */
export interface AlertChannel {
  serviceUrl: string;
  tenantId: string;
  teamId: string;
  channelId: string;
}

/** The bound alert channel; `broken` when Teams refused a post there (the bot was removed). */
export interface BoundAlertChannel extends AlertChannel {
  broken?: { reason: string; since: string };
}

/** Where the alert channel stands: never bound, bound, or unbound when the bot left its team. */
export type AlertChannelBinding =
  | { status: 'unset' }
  | { status: 'bound'; channel: BoundAlertChannel }
  | { status: 'unbound'; channel: AlertChannel; since: string };

export interface ChannelStore {
  /** The bound alert channel; null while none is (cards wait in the outbox). */
  getAlertChannel(): Promise<BoundAlertChannel | null>;
  getAlertChannelBinding(): Promise<AlertChannelBinding>;
  /**
   * Binds the channel if none ever was (atomically, across replicas); for the bound channel,
   * refreshes its serviceUrl and mends it when broken; rebinds an unbound or broken one only
   * for the same team. Anything else leaves the binding alone: a new install never takes it.
   */
  claimAlertChannel(channel: AlertChannel): Promise<'bound' | 'refreshed' | 'taken'>;
  /** Binds this channel whatever was bound: an approver's choice, or the configured pin. */
  setAlertChannel(channel: AlertChannel): Promise<void>;
  /** Marks the bound channel broken, if it still is `channel`; cards wait until one is bound. */
  markAlertChannelBroken(channel: AlertChannel, reason: string): Promise<void>;
  /** Marks the alert channel unbound if it belongs to `teamId`; true when it did. */
  unbindAlertChannel(teamId: string): Promise<boolean>;
}

/** Someone Teams sent us an activity from; the MRI is what card `refresh.userIds` wants. */
export interface TeamsUser {
  aadObjectId: string;
  mri: string;
  name: string;
}

/** The people a card refreshes for. */
export interface AudienceStore {
  /** Remembers the latest MRI and name of someone who sent us an activity. */
  recordTeamsUser(user: TeamsUser): Promise<void>;
  /** Remembers whether a known Teams user was an approver when last checked. */
  noteApprover(aadObjectId: string, isApprover: boolean): Promise<void>;
  /** MRIs for a card's `refresh.userIds`: known approvers first, then the most recently seen. */
  listCardAudience(limit: number): Promise<string[]>;
}

export interface CaseCardPost {
  channel: AlertChannel;
  case: Case;
}

/**
 * Teams refused for good: 403 (the bot is no longer in that team or chat) or 404 (the message
 * was deleted). Retrying cannot help.
 */
export class TeamsRefusedError extends Error {
  override name = 'TeamsRefusedError';
  constructor(
    readonly status: 403 | 404,
    message: string,
  ) {
    super(message);
  }
}

/** Posts and updates case cards in Teams; throws TeamsRefusedError on 403 and 404. */
export interface Messenger {
  postCaseCard(post: CaseCardPost): Promise<CardRef>;
  updateCaseCard(card: CardRef, c: Case): Promise<void>;
}
