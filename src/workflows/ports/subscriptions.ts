export interface SubscriptionRecord {
  id: string;
  clientState: string;
  resource: string;
  expiresAt: string;
}

/** The one Graph subscription GroupGuard keeps, with its clientState secret. */
export interface SubscriptionStore {
  getSubscription(): Promise<SubscriptionRecord | null>;
  saveSubscription(subscription: SubscriptionRecord): Promise<void>;
}

export interface RemoteSubscription {
  id: string;
  resource: string;
  expirationDateTime: string;
  notificationUrl: string;
}

/** Graph's /subscriptions, as far as GroupGuard manages its own. */
export interface GraphSubscriptions {
  listSubscriptions(): Promise<RemoteSubscription[]>;
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
