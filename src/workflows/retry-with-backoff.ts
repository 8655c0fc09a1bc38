import { backoffDelay, type BackoffPolicy } from '../core/backoff.js';
import type { Log } from './ports/index.js';

const START_UP: BackoffPolicy & { attempts: number } = {
  attempts: 8,
  initialMs: 250,
  maxMs: 10_000,
};

/** Retries `fn` with the one backoff policy; Graph and Teams fail transiently, start-up must not. */
export async function retryWithBackoff<T>(
  what: string,
  fn: () => Promise<T>,
  log: Log,
  policy: BackoffPolicy & { attempts: number } = START_UP,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      if (attempt >= policy.attempts) throw error;
      const delay = backoffDelay(attempt, policy, Math.random());
      log.warn({ err: error, attempt, delayMs: delay }, `${what} failed, retrying`);
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}
