import { createBackgroundTasks } from '../../../src/workflows/background-tasks';
import type { Log } from '../../../src/workflows/ports';

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

function recordingLog() {
  const errors: Array<{ fields: object; message: string }> = [];
  const log: Log = {
    debug: () => undefined,
    info: () => undefined,
    warn: () => undefined,
    error: (fields, message) => errors.push({ fields, message }),
  };
  return { log, errors };
}

describe('background tasks', () => {
  it('gives the value of a task that settles within the time, and its failure to the caller alone', async () => {
    const { log, errors } = recordingLog();
    const tasks = createBackgroundTasks(log);
    expect(await tasks.within('quick', Promise.resolve(7), 1_000)).toEqual({ value: 7 });
    await expect(tasks.within('broken', Promise.reject(new Error('no')), 1_000)).rejects.toThrow(
      'no',
    );
    expect(await tasks.drain(1_000)).toBe(true);
    expect(errors).toEqual([]);
  });

  it('stops waiting after the time; the task runs on, drain waits for it, a late failure is logged', async () => {
    const { log, errors } = recordingLog();
    const tasks = createBackgroundTasks(log);
    const slow = deferred<number>();
    expect(await tasks.within('slow', slow.promise, 20)).toBeNull();
    expect(await tasks.drain(20)).toBe(false);

    const drained = tasks.drain(5_000);
    slow.resolve(1);
    expect(await drained).toBe(true);

    const failing = deferred<number>();
    expect(await tasks.within('failing', failing.promise, 20)).toBeNull();
    failing.reject(new Error('Graph answered 429'));
    expect(await tasks.drain(5_000)).toBe(true);
    expect(errors).toEqual([
      { fields: expect.objectContaining({ task: 'failing' }), message: 'background task failed' },
    ]);
  });
});
