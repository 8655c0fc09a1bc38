import type {
  Actor,
  Case,
  CardRef,
  CaseVerb,
  DecisionVerb,
  FoundBy,
  GroupProfile,
  Person,
  RestoreRequest,
} from '../core/case.js';
import type { MemberDelta } from '../core/membership-diff.js';

/** Where case cards go: a Teams channel the bot was installed in. */
export interface AlertChannel {
  serviceUrl: string;
  tenantId: string;
  teamId: string;
  channelId: string;
}

export interface SubscriptionRecord {
  id: string;
  clientState: string;
  resource: string;
  expiresAt: string;
}

export interface InboxItem {
  id: number;
  subscriptionId: string;
  groupId: string;
  receivedAt: string;
}

/** A case whose card in Teams is behind the case (never posted, or posted with an older version). */
export interface OutboxItem {
  caseId: number;
  attempts: number;
}

export interface WatchedGroup {
  profile: GroupProfile;
  deltaLink: string | null;
  syncedAt: string;
  members: Set<string>;
}

export interface NewCase {
  groupId: string;
  groupName: string;
  memberId: string;
  memberName: string;
  removedAt: string;
  foundBy: FoundBy;
  restoreBlockedReason: string | null;
  groupIsRoleAssignable: boolean;
  actor: Actor | null;
  memberSeenAt: string | null;
}

export interface GroupSyncCommit {
  groupId: string;
  expectedDeltaLink: string | null;
  newDeltaLink: string;
  profile: GroupProfile;
  added: string[];
  removed: string[];
  cases: NewCase[];
}

export interface CaseUpdate {
  status: Case['status'];
  decision: Case['decision'];
  lastError: string | null;
  /** Left as stored when omitted. */
  restoreRequest?: RestoreRequest | null;
  actor?: Actor | null;
  /** Appended to the decision log in the same transaction, only when the update wins. */
  log?: DecisionLogEntry;
}

export type DecisionResult =
  | 'approved'
  | 'restore-requested'
  | 'restore-cancelled'
  | 'restored'
  | 'restore-failed'
  | 'refused';

/** One decision or refused attempt, as the append-only decision log keeps it. */
export interface DecisionLogEntry {
  caseId: number;
  verb: CaseVerb;
  approverId: string;
  approverName: string;
  at: string;
  reason: string | null;
  /** The case version this entry produced (or, for a refusal, the version it saw). */
  caseVersion: number;
  graphRequestId: string | null;
  result: DecisionResult;
  /** Why it was refused or failed. */
  detail: string | null;
}

/** A log entry with its place in the hash chain: `hash` covers every other field. */
export interface DecisionRecord extends DecisionLogEntry {
  seq: number;
  prevHash: string;
  hash: string;
}

/** Someone Teams sent us an activity from; the MRI is what card `refresh.userIds` wants. */
export interface TeamsUser {
  aadObjectId: string;
  mri: string;
  name: string;
}

/** The one durable store. Every method is atomic; multi-row effects commit together or not at all. */
export interface Store {
  ping(): Promise<void>;
  close(): Promise<void>;
  /** A lock shared by every process on this store; `wait: false` gives up at once when held. */
  withLock<T>(
    key: string,
    wait: boolean,
    fn: () => Promise<T>,
  ): Promise<{ locked: true; value: T } | { locked: false }>;

  getAlertChannel(): Promise<AlertChannel | null>;
  /**
   * Binds the channel if none is bound (atomically, across replicas); for the bound channel,
   * refreshes its serviceUrl; otherwise leaves the binding alone.
   */
  claimAlertChannel(channel: AlertChannel): Promise<'bound' | 'refreshed' | 'taken'>;
  /** Unbinds the alert channel if it belongs to `teamId`; true when it did. */
  clearAlertChannel(teamId: string): Promise<boolean>;

  getSubscription(): Promise<SubscriptionRecord | null>;
  saveSubscription(subscription: SubscriptionRecord): Promise<void>;

  /** Persists notifications for later work; returns how many were new. */
  enqueueInbox(items: Array<{ subscriptionId: string; groupId: string }>): Promise<number>;
  claimInbox(limit: number, leaseMs: number): Promise<InboxItem[]>;
  deleteInbox(ids: number[]): Promise<void>;
  /** Notifications not yet worked off, claimed or not. */
  countInbox(): Promise<number>;
  /** Gives claimed items back after `delayMs`, for a retry with backoff. */
  releaseInbox(ids: number[], delayMs: number): Promise<void>;

  getWatchedGroup(groupId: string): Promise<WatchedGroup | null>;
  /**
   * Applies one delta round: snapshot change, new cases (each with an outbox entry) and the new
   * delta link, only if the stored delta link is still `expectedDeltaLink`. Returns the opened
   * cases, or null when another worker committed first.
   */
  commitGroupSync(commit: GroupSyncCommit): Promise<Case[] | null>;

  getCase(id: number): Promise<Case | null>;
  listCases(filter: { status?: Case['status']; limit: number }): Promise<Case[]>;
  /** Compare-and-set on version; returns the updated case or null when the version moved. */
  updateCase(id: number, expectedVersion: number, update: CaseUpdate): Promise<Case | null>;

  /** Appends to the hash-chained decision log; appends are serialized across processes. */
  appendDecisionLog(entry: DecisionLogEntry): Promise<DecisionRecord>;
  /** Records with `seq` greater than `afterSeq`, oldest first. */
  readDecisionLog(afterSeq: number, limit: number): Promise<DecisionRecord[]>;

  /** Remembers the latest MRI and name of someone who sent us an activity. */
  recordTeamsUser(user: TeamsUser): Promise<void>;
  /** Remembers whether a known Teams user was an approver when last checked. */
  noteApprover(aadObjectId: string, isApprover: boolean): Promise<void>;
  /** MRIs for a card's `refresh.userIds`: known approvers first, then the most recently seen. */
  listCardAudience(limit: number): Promise<string[]>;

  /** Leases due outbox entries for `leaseMs`, so a crashed worker's entries come back. */
  claimOutbox(limit: number, leaseMs: number): Promise<OutboxItem[]>;
  /** Records the posted card (if new) and clears the entry unless the case moved past `renderedVersion`. */
  completeCardSync(caseId: number, renderedVersion: number, card: CardRef | null): Promise<void>;
  retryOutbox(caseId: number, delayMs: number, error: string): Promise<void>;
}

export interface GroupDeltaPage {
  deltas: MemberDelta[];
  deltaLink: string;
  fullSync: boolean;
}

/** The slice of Microsoft Graph GroupGuard uses. */
export interface Directory {
  getGroupProfile(groupId: string): Promise<GroupProfile>;
  /** Follows every nextLink; a null link means full sync. Throws DeltaTokenExpiredError on 410 and friends. */
  readGroupDelta(groupId: string, deltaLink: string | null): Promise<GroupDeltaPage>;
  getDisplayName(objectId: string): Promise<string>;
  /**
   * Re-adds a member; "already a member" counts as success. Throws RestoreFailedError, which
   * carries Graph's request id like the success does.
   */
  addGroupMember(groupId: string, memberId: string): Promise<{ requestId: string | null }>;
  /** The ones among `groupIds` (at most 20) that `objectId` is a transitive member of. */
  checkMemberGroups(objectId: string, groupIds: string[]): Promise<string[]>;
  /** Who removed the member, per the directory audit log in that time window; null if not (yet) logged. */
  findRemovalActor(query: {
    groupId: string;
    memberId: string;
    notBefore: string;
    notAfter: string;
  }): Promise<Actor | null>;
  listSubscriptions(): Promise<
    Array<{ id: string; resource: string; expirationDateTime: string; notificationUrl: string }>
  >;
  createSubscription(input: {
    resource: string;
    notificationUrl: string;
    lifecycleNotificationUrl: string;
    clientState: string;
    expirationDateTime: string;
  }): Promise<{ id: string; expirationDateTime: string }>;
  /** Throws SubscriptionGoneError when Graph no longer has it. */
  renewSubscription(
    id: string,
    expirationDateTime: string,
  ): Promise<{ expirationDateTime: string }>;
  reauthorizeSubscription(id: string): Promise<void>;
  /** Deleting one Graph no longer has is not an error. */
  deleteSubscription(id: string): Promise<void>;
}

export class SubscriptionGoneError extends Error {
  override name = 'SubscriptionGoneError';
}

export interface CaseCardPost {
  channel: AlertChannel;
  case: Case;
}

/** Posts and updates case cards in Teams. */
export interface Messenger {
  postCaseCard(post: CaseCardPost): Promise<CardRef>;
  updateCaseCard(card: CardRef, c: Case): Promise<void>;
}

export class DeltaTokenExpiredError extends Error {
  override name = 'DeltaTokenExpiredError';
}

export class RestoreFailedError extends Error {
  override name = 'RestoreFailedError';
  constructor(
    message: string,
    readonly requestId: string | null,
  ) {
    super(message);
  }
}

export class CaseNotFoundError extends Error {
  override name = 'CaseNotFoundError';
}

export type { Actor, Case, CaseVerb, DecisionVerb, Person };

/** The structured logger shape workflows need (pino satisfies it). */
export interface Log {
  debug(fields: object, message: string): void;
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

export interface Clock {
  now(): Date;
}
