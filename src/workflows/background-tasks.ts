import type { Log } from './ports/index.js';

/** Work that may outlive the request that started it, such as a decision past its click's budget. */
export interface BackgroundTasks {
  /**
   * Waits for `task` up to `ms`: its value (or its failure) when it settles in time, else null
   * while the task runs on; a failure after that is logged, since nobody awaits it any more.
   */
  within<T>(what: string, task: Promise<T>, ms: number): Promise<{ value: T } | null>;
  /** Resolves once every task settled, or after `ms`; false when some were still running. */
  drain(ms: number): Promise<boolean>;
}

export function createBackgroundTasks(log: Log): BackgroundTasks {
  const running = new Set<Promise<void>>();
  const timeout = <T>(ms: number, value: T, onTimeout = () => {}) => {
    let timer: NodeJS.Timeout | undefined;
    const promise = new Promise<T>((resolve) => {
      timer = setTimeout(() => {
        onTimeout();
        resolve(value);
      }, ms);
    });
    return { promise, cancel: () => clearTimeout(timer) };
  };

  return {
    async within(what, task, ms) {
      let late = false;
      const tracked: Promise<void> = task
        .then(
          () => undefined,
          (error: unknown) => {
            if (late) log.error({ err: error, task: what }, 'background task failed');
          },
        )
        .finally(() => running.delete(tracked));
      running.add(tracked);
      const budget = timeout(ms, null, () => {
        late = true;
      });
      try {
        return await Promise.race([task.then((value) => ({ value })), budget.promise]);
      } finally {
        budget.cancel();
      }
    },
    async drain(ms) {
      const limit = timeout(ms, false);
      try {
        return await Promise.race([Promise.all([...running]).then(() => true), limit.promise]);
      } finally {
        limit.cancel();
      }
    },
  };
}
