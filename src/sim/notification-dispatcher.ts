import { setMaxListeners } from 'node:events';
import { postWebhook } from './post-webhook.js';
import type { SeededRandom } from './seeded-random.js';

export interface GraphFaults {
  /** Probability 0..1 that a change notification is delivered twice. */
  duplicateNotifications: number;
  /** Probability that a change notification is never sent. */
  dropNotifications: number;
  /** Maximum random extra delay per change notification (this reorders them). */
  delayNotificationsMs: number;
  /** Probability that a /v1.0 request gets 429 TooManyRequests with `Retry-After: 1`. */
  throttle429: number;
  /** Probability that a /v1.0 request gets 503 serviceNotAvailable with `Retry-After: 1`. */
  unavailable503: number;
  /** The `Retry-After` those faults carry; Graph sends fractions too (e.g. 2.128). */
  retryAfterSeconds: number;
}

export interface RetryPolicy {
  /** Total delivery attempts per notification, the first included. */
  attempts: number;
  initialDelayMs: number;
}

type Log = (msg: string, fields?: Record<string, unknown>) => void;

/** Graph answers "no 2xx within 3 s" with a retry. */
const DELIVERY_TIMEOUT_MS = 3000;

/** Delivers notifications with retries and the configured faults; every timer dies on stop(). */
export class NotificationDispatcher {
  private readonly controller = new AbortController();
  private readonly waits = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>();

  constructor(
    private readonly retry: RetryPolicy,
    private readonly faultRandom: SeededRandom,
    private readonly faults: () => GraphFaults,
    private readonly log: Log,
  ) {
    setMaxListeners(10_000, this.controller.signal);
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get stopped(): boolean {
    return this.controller.signal.aborted;
  }

  /** A change notification: subject to drop / duplicate / delay faults, decided now. */
  sendChange(
    url: string,
    payload: unknown,
    stillWanted: () => boolean,
    fields: Record<string, unknown>,
  ): void {
    const f = this.faults();
    const drop = this.faultRandom.chance(f.dropNotifications);
    const duplicate = this.faultRandom.chance(f.duplicateNotifications);
    const delay = Math.floor(this.faultRandom.next() * f.delayNotificationsMs);
    const secondDelay = delay + 1 + Math.floor(this.faultRandom.next() * f.delayNotificationsMs);
    if (drop) {
      this.log('graph-sim: notification dropped (fault)', fields);
      return;
    }
    const deliverAfter = async (ms: number, copy: string): Promise<void> => {
      await this.wait(ms);
      if (this.stopped || !stillWanted()) return;
      await this.send(url, payload, { ...fields, copy });
    };
    void deliverAfter(delay, 'first');
    if (duplicate) {
      this.log('graph-sim: notification duplicated (fault)', fields);
      void deliverAfter(secondDelay, 'duplicate');
    }
  }

  /** POSTs with retries; resolves true once a 2xx came back, false after the last attempt. */
  async send(
    url: string,
    payload: unknown,
    fields: Record<string, unknown> = {},
  ): Promise<boolean> {
    const body = JSON.stringify(payload);
    for (let attempt = 1; attempt <= this.retry.attempts; attempt++) {
      if (this.stopped) return false;
      if (attempt > 1) await this.wait(this.retry.initialDelayMs * 2 ** (attempt - 2));
      if (this.stopped) return false;
      try {
        const response = await postWebhook(new URL(url), {
          body,
          contentType: 'application/json; charset=utf-8',
          timeoutMs: DELIVERY_TIMEOUT_MS,
          signal: this.controller.signal,
        });
        if (response.status >= 200 && response.status < 300) {
          this.log('graph-sim: notification delivered', {
            ...fields,
            attempt,
            status: response.status,
          });
          return true;
        }
        this.log('graph-sim: notification refused', {
          ...fields,
          attempt,
          status: response.status,
        });
      } catch (error) {
        if (this.stopped) return false;
        this.log('graph-sim: notification failed', {
          ...fields,
          attempt,
          error: error instanceof Error ? error.message : String(error),
        });
      }
    }
    this.log('graph-sim: notification given up', fields);
    return false;
  }

  wait(ms: number): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const entry = {
        timer: setTimeout(() => {
          this.waits.delete(entry);
          resolve();
        }, ms),
        resolve,
      };
      this.waits.add(entry);
    });
  }

  stop(): void {
    this.controller.abort();
    for (const entry of this.waits) {
      clearTimeout(entry.timer);
      entry.resolve();
    }
    this.waits.clear();
  }
}
