import type { AudienceStore, ChannelStore } from './teams.js';
import type { CaseStore, DecisionLog } from './cases.js';
import type { DirectoryReads } from './directory.js';
import type { SnapshotStore } from './group-snapshots.js';
import type { Remediation } from './remediation.js';
import type { Locks } from './runtime.js';
import type { GraphSubscriptions, SubscriptionStore } from './subscriptions.js';
import type { TenantBindingStore } from './tenant-binding.js';
import type { InboxStore, OutboxStore } from './work-queues.js';

export * from './cases.js';
export * from './directory.js';
export * from './group-snapshots.js';
export * from './remediation.js';
export * from './runtime.js';
export * from './subscriptions.js';
export * from './teams.js';
export * from './tenant-binding.js';
export * from './work-queues.js';
export type { Actor, Case, CaseVerb, DecisionVerb, Person } from '../../core/case.js';

/** The one durable store: every port above in one database; each method is atomic. */
export type Store = Locks &
  CaseStore &
  DecisionLog &
  SnapshotStore &
  InboxStore &
  OutboxStore &
  SubscriptionStore &
  ChannelStore &
  AudienceStore &
  TenantBindingStore;

/** Microsoft Graph, as the adapter in src/graph/ provides it. */
export type Directory = DirectoryReads & GraphSubscriptions & Remediation;
