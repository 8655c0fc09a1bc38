import type { Log } from './ports/index.js';

/** Retries `fn` with exponential backoff; Graph and Teams fail transiently, start-up must not. */
export async function retryWithBackoff<T>(
  what: string,
  fn: () => Promise<T>,
  log: Log,
  options: { attempts: number; initialDelayMs: number; maxDelayMs: number } = {
    attempts: 8,
    initialDelayMs: 250,
    maxDelayMs: 10_000,
  },
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      if (attempt >= options.attempts) throw error;
      const delay = Math.min(options.maxDelayMs, options.initialDelayMs * 2 ** (attempt - 1));
      log.warn({ err: error, attempt, delayMs: delay }, `${what} failed, retrying`);
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}
