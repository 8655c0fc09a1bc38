import type { Log } from './ports/index.js';

export interface WorkerLoop {
  /** Run soon, without waiting for the next tick. */
  kick(): void;
  stop(): Promise<void>;
}

/**
 * Runs `work` until it reports nothing left, then sleeps `intervalMs` or until kicked. One run at a
 * time; stop() waits for the run in flight.
 */
export function startWorkerLoop(
  name: string,
  work: () => Promise<number>,
  intervalMs: number,
  log: Log,
  options: { immediate: boolean } = { immediate: true },
): WorkerLoop {
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;
  let again = false;

  const schedule = (delay: number) => {
    if (stopped) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(run, delay);
  };
  function run() {
    timer = null;
    if (running) {
      again = true;
      return;
    }
    running = (async () => {
      do {
        again = false;
        try {
          while (!stopped && (await work()) > 0);
        } catch (error) {
          log.error({ err: error, worker: name }, 'worker run failed');
        }
      } while (again && !stopped);
    })().finally(() => {
      running = null;
      schedule(intervalMs);
    });
  }
  schedule(options.immediate ? 0 : intervalMs);
  return {
    kick: () => (running ? (again = true) : schedule(0)),
    stop: async () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
