import { randomUUID } from 'node:crypto';
import { GraphApiError } from './graph-api-error.js';
import type { NotificationDispatcher } from './notification-dispatcher.js';
import { postWebhook } from './post-webhook.js';
import type { SimApp } from './seed-tenant.js';
import type { SeededRandom } from './seeded-random.js';
import type { MembershipChange, TenantState } from './tenant-state.js';

/** Graph's subscription resource, as the simulator stores it. */
export interface SimSubscription {
  id: string;
  resource: string;
  applicationId: string;
  changeType: string;
  clientState: string | null;
  notificationUrl: string;
  notificationQueryOptions: null;
  lifecycleNotificationUrl: string | null;
  expirationDateTime: string;
  creatorId: string;
  includeResourceData: boolean;
  latestSupportedTlsVersion: string;
  encryptionCertificate: null;
  encryptionCertificateId: null;
  notificationUrlAppId: null;
}

/** A subscription as the simulated tenant's file keeps it. */
export interface SavedSubscription {
  subscription: SimSubscription;
  groupId: string | null;
}

interface Entry {
  subscription: SimSubscription;
  /** The group the resource is scoped to, or null for all groups. */
  groupId: string | null;
  expiresAt: number;
  cancelTimers: () => void;
}

type Log = (msg: string, fields?: Record<string, unknown>) => void;

export const MAX_LIFETIME_MINUTES = 41_760;
const HANDSHAKE_TIMEOUT_MS = 10_000;
const REAUTHORIZE_BEFORE_EXPIRY_MS = 15 * 60_000;
const MAX_TIMER_MS = 2 ** 31 - 1;
const TLS_VERSIONS = new Set(['v1_0', 'v1_1', 'v1_2', 'v1_3']);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** setTimeout for any distance in the future (subscriptions live up to 29 days). */
function alarm(at: number, fn: () => void, onSet: (cancel: () => void) => void): void {
  const delay = at - Date.now();
  const timer = setTimeout(
    () => (delay > MAX_TIMER_MS ? alarm(at, fn, onSet) : fn()),
    Math.max(0, Math.min(delay, MAX_TIMER_MS)),
  );
  timer.unref();
  onSet(() => clearTimeout(timer));
}

/** Subscriptions to group changes: create (with the validation handshake), renew, expire, notify. */
export class SubscriptionRegistry {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly state: TenantState,
    private readonly dispatcher: NotificationDispatcher,
    private readonly random: SeededRandom,
    private readonly tenantId: string,
    private readonly app: SimApp,
    private readonly log: Log,
    /** Called after every create, renewal, deletion and expiry. */
    private readonly changed: () => void = () => undefined,
  ) {}

  save(): SavedSubscription[] {
    return [...this.entries.values()].map((e) => ({
      subscription: { ...e.subscription },
      groupId: e.groupId,
    }));
  }

  /** Subscriptions from an earlier run: Graph keeps them while the app is down. */
  restore(saved: SavedSubscription[]): void {
    for (const { subscription, groupId } of saved) {
      const expiresAt = Date.parse(subscription.expirationDateTime);
      const entry: Entry = { subscription, groupId, expiresAt, cancelTimers: () => undefined };
      this.entries.set(subscription.id, entry);
      this.schedule(entry);
    }
    this.purgeExpired();
  }

  list(): SimSubscription[] {
    this.purgeExpired();
    return [...this.entries.values()].map((e) => ({ ...e.subscription }));
  }

  get(id: string): SimSubscription {
    return { ...this.entry(id).subscription };
  }

  async create(body: unknown, creatorId: string): Promise<SimSubscription> {
    if (!isRecord(body))
      throw GraphApiError.invalidRequest('The request body must be a JSON object.');
    const changeType = this.changeType(body.changeType);
    const { resource, groupId } = this.resource(body.resource);
    const notificationUrl = this.webhookUrl(body.notificationUrl, 'notificationUrl');
    if (notificationUrl === null) {
      throw GraphApiError.invalidRequest("The 'notificationUrl' property is required.");
    }
    const lifecycleNotificationUrl = this.webhookUrl(
      body.lifecycleNotificationUrl,
      'lifecycleNotificationUrl',
    );
    const expiresAt = this.expiration(body.expirationDateTime);
    const clientState = body.clientState ?? null;
    if (clientState !== null && typeof clientState !== 'string') {
      throw GraphApiError.invalidRequest("Invalid 'clientState' value: it must be a string.");
    }
    if (clientState !== null && clientState.length > 128) {
      throw GraphApiError.invalidRequest(
        'The clientState property value must not exceed 128 characters.',
      );
    }
    if (body.includeResourceData === true) {
      throw GraphApiError.invalidRequest(
        `Rich notifications (includeResourceData) are not supported for resource '${resource}'.`,
      );
    }
    const tls = body.latestSupportedTlsVersion ?? 'v1_2';
    if (typeof tls !== 'string' || !TLS_VERSIONS.has(tls)) {
      throw GraphApiError.invalidRequest("Invalid 'latestSupportedTlsVersion' value.");
    }

    await this.handshake(notificationUrl, 'Notification');
    if (lifecycleNotificationUrl)
      await this.handshake(lifecycleNotificationUrl, 'Lifecycle notification');

    const subscription: SimSubscription = {
      id: this.random.guid(),
      resource,
      applicationId: this.app.clientId,
      changeType,
      clientState,
      notificationUrl,
      notificationQueryOptions: null,
      lifecycleNotificationUrl,
      expirationDateTime: new Date(expiresAt).toISOString(),
      creatorId,
      includeResourceData: false,
      latestSupportedTlsVersion: tls,
      encryptionCertificate: null,
      encryptionCertificateId: null,
      notificationUrlAppId: null,
    };
    const entry: Entry = { subscription, groupId, expiresAt, cancelTimers: () => undefined };
    this.entries.set(subscription.id, entry);
    this.schedule(entry);
    this.changed();
    this.log('graph-sim: subscription created', { subscriptionId: subscription.id, resource });
    return { ...subscription };
  }

  update(id: string, body: unknown): SimSubscription {
    const entry = this.entry(id);
    if (!isRecord(body) || body.expirationDateTime === undefined) {
      throw GraphApiError.invalidRequest("The 'expirationDateTime' property is required.");
    }
    entry.expiresAt = this.expiration(body.expirationDateTime);
    entry.subscription.expirationDateTime = new Date(entry.expiresAt).toISOString();
    this.schedule(entry);
    this.changed();
    return { ...entry.subscription };
  }

  delete(id: string): void {
    const entry = this.entry(id);
    entry.cancelTimers();
    this.entries.delete(entry.subscription.id);
    this.changed();
  }

  reauthorize(id: string): void {
    this.entry(id);
  }

  /** Notifies every live subscription that covers the changed group. */
  notifyChange(change: MembershipChange): void {
    this.purgeExpired();
    for (const entry of this.entries.values()) {
      const s = entry.subscription;
      if (entry.groupId !== null && entry.groupId !== change.groupId) continue;
      if (!s.changeType.split(',').includes('updated')) continue;
      const payload = {
        value: [
          {
            id: this.random.guid(),
            subscriptionId: s.id,
            subscriptionExpirationDateTime: s.expirationDateTime,
            clientState: s.clientState,
            changeType: 'updated',
            resource: `Groups/${change.groupId}`,
            tenantId: this.tenantId,
            resourceData: {
              '@odata.type': '#Microsoft.Graph.Group',
              '@odata.id': `Groups/${change.groupId}`,
              id: change.groupId,
              organizationId: this.tenantId,
              eventTime: change.at.toISOString(),
              sequenceNumber: change.sequence,
            },
          },
        ],
      };
      this.dispatcher.sendChange(s.notificationUrl, payload, () => this.isLive(s.id), {
        subscriptionId: s.id,
        groupId: change.groupId,
        sequenceNumber: change.sequence,
      });
    }
  }

  /** Resolves once the lifecycle endpoint acknowledged; rejects if it never did. */
  async sendLifecycleEvent(id: string, event: 'reauthorizationRequired'): Promise<void> {
    const s = this.entry(id).subscription;
    if (!s.lifecycleNotificationUrl) {
      throw new Error(`subscription ${id} has no lifecycleNotificationUrl`);
    }
    const delivered = await this.dispatcher.send(
      s.lifecycleNotificationUrl,
      {
        value: [
          {
            subscriptionId: s.id,
            subscriptionExpirationDateTime: s.expirationDateTime,
            tenantId: this.tenantId,
            clientState: s.clientState,
            lifecycleEvent: event,
          },
        ],
      },
      { subscriptionId: s.id, lifecycleEvent: event },
    );
    if (!delivered && !this.dispatcher.stopped) {
      throw new Error(`lifecycle event ${event} for ${id} was not acknowledged`);
    }
  }

  stop(): void {
    for (const entry of this.entries.values()) entry.cancelTimers();
  }

  private isLive(id: string): boolean {
    const entry = this.entries.get(id);
    return entry !== undefined && entry.expiresAt > Date.now();
  }

  private entry(id: string): Entry {
    this.purgeExpired();
    const entry = this.entries.get(id.toLowerCase());
    if (!entry) {
      throw new GraphApiError(
        404,
        'ResourceNotFound',
        `The object was not found. Subscription '${id}' does not exist.`,
      );
    }
    return entry;
  }

  private purgeExpired(): void {
    const now = Date.now();
    let purged = false;
    for (const [id, entry] of this.entries) {
      if (entry.expiresAt <= now) {
        entry.cancelTimers();
        this.entries.delete(id);
        purged = true;
        this.log('graph-sim: subscription expired', { subscriptionId: id });
      }
    }
    if (purged) this.changed();
  }

  private schedule(entry: Entry): void {
    entry.cancelTimers();
    const cancels: Array<() => void> = [];
    const id = entry.subscription.id;
    alarm(
      entry.expiresAt,
      () => this.purgeExpired(),
      (c) => (cancels[0] = c),
    );
    const warnAt = entry.expiresAt - REAUTHORIZE_BEFORE_EXPIRY_MS;
    if (entry.subscription.lifecycleNotificationUrl && warnAt > Date.now()) {
      alarm(
        warnAt,
        () => {
          this.sendLifecycleEvent(id, 'reauthorizationRequired').catch((error: unknown) =>
            this.log('graph-sim: lifecycle event failed', {
              subscriptionId: id,
              error: error instanceof Error ? error.message : String(error),
            }),
          );
        },
        (c) => (cancels[1] = c),
      );
    }
    entry.cancelTimers = () => cancels.forEach((cancel) => cancel());
  }

  private changeType(value: unknown): string {
    if (typeof value !== 'string' || value.trim() === '') {
      throw GraphApiError.invalidRequest("The 'changeType' property is required.");
    }
    const types = value.split(',').map((t) => t.trim());
    for (const type of types) {
      if (type !== 'updated' && type !== 'deleted') {
        throw GraphApiError.invalidRequest(
          `Invalid 'changeType' attribute: '${type}'. Group subscriptions support only 'updated' and 'deleted'.`,
        );
      }
    }
    return [...new Set(types)].join(',');
  }

  private resource(value: unknown): { resource: string; groupId: string | null } {
    if (typeof value !== 'string' || value.trim() === '') {
      throw GraphApiError.invalidRequest("The 'resource' property is required.");
    }
    const match = /^\/?groups(?:\/([^/?]+)(\/members)?)?\/?$/i.exec(value.trim());
    if (!match) {
      throw GraphApiError.invalidRequest(
        `Resource '${value}' is not supported: this tenant offers 'groups', 'groups/{id}' and 'groups/{id}/members'.`,
      );
    }
    const groupId = match[1]?.toLowerCase() ?? null;
    if (groupId !== null && !this.state.groups.has(groupId)) throw GraphApiError.notFound(groupId);
    return { resource: value.trim(), groupId };
  }

  /**
   * Graph requires https. Simulator deviation: plain http is accepted for 127.0.0.1 and
   * localhost, so the demo and tests need no certificate for the bot's own endpoint.
   */
  private webhookUrl(value: unknown, name: string): string | null {
    if (value === undefined || value === null) return null;
    let url: URL;
    try {
      url = new URL(String(value));
    } catch {
      throw GraphApiError.invalidRequest(
        `Invalid '${name}' value: '${String(value)}' is not a URL.`,
      );
    }
    const loopback = url.hostname === '127.0.0.1' || url.hostname === 'localhost';
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
      throw GraphApiError.invalidRequest(`Invalid '${name}' value: the URL must use https.`);
    }
    return String(value);
  }

  private expiration(value: unknown): number {
    if (value === undefined || value === null) {
      throw GraphApiError.invalidRequest("The 'expirationDateTime' property is required.");
    }
    const at = typeof value === 'string' ? Date.parse(value) : Number.NaN;
    if (Number.isNaN(at)) {
      throw GraphApiError.invalidRequest(`Invalid 'expirationDateTime' value: '${String(value)}'.`);
    }
    const now = Date.now();
    if (at <= now) {
      throw GraphApiError.invalidRequest('Subscription expiration must be in the future.');
    }
    if (at > now + MAX_LIFETIME_MINUTES * 60_000) {
      throw GraphApiError.invalidRequest(
        `Subscription expiration can only be ${MAX_LIFETIME_MINUTES} minutes in the future.`,
      );
    }
    return at;
  }

  private async handshake(url: string, label: string): Promise<void> {
    const token = `Validation: Testing client application reachability for subscription Request-Id: ${randomUUID()}`;
    const target = `${url}${url.includes('?') ? '&' : '?'}validationToken=${encodeURIComponent(token)}`;
    let reason: string;
    try {
      const response = await postWebhook(new URL(target), {
        body: '',
        contentType: 'text/plain; charset=utf-8',
        timeoutMs: HANDSHAKE_TIMEOUT_MS,
        signal: this.dispatcher.signal,
      });
      const plain = response.contentType.toLowerCase().startsWith('text/plain');
      if (response.status === 200 && plain && response.body === token) {
        this.log('graph-sim: validation handshake succeeded', { url });
        return;
      }
      reason =
        response.status !== 200
          ? `status ${response.status}`
          : !plain
            ? `content-type '${response.contentType}'`
            : 'body is not the decoded token';
    } catch (error) {
      reason = error instanceof Error ? error.message : String(error);
    }
    this.log('graph-sim: validation handshake failed', { url, reason });
    throw GraphApiError.invalidRequest(
      `Subscription validation request failed. ${label} endpoint must respond with 200 OK to validation request.`,
    );
  }
}
