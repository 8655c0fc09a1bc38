/** Named locks for a database only one process opens (embedded PGlite). */
export function inProcessLocks() {
  const held = new Map<string, Promise<void>>();
  return async function withLock<T>(
    key: string,
    wait: boolean,
    fn: () => Promise<T>,
  ): Promise<{ locked: true; value: T } | { locked: false }> {
    while (held.has(key)) {
      if (!wait) return { locked: false };
      await held.get(key);
    }
    let release!: () => void;
    held.set(key, new Promise<void>((resolve) => (release = resolve)));
    try {
      return { locked: true, value: await fn() };
    } finally {
      held.delete(key);
      release();
    }
  };
}
