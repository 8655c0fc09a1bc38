/** The structured logger shape workflows need (pino satisfies it). */
export interface Log {
  debug(fields: object, message: string): void;
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

export interface Clock {
  now(): Date;
}

/** Locks shared by every process on one store, and the store's own health. */
export interface Locks {
  /** `wait: false` gives up at once when another holder has the lock. */
  withLock<T>(
    key: string,
    wait: boolean,
    fn: () => Promise<T>,
  ): Promise<{ locked: true; value: T } | { locked: false }>;
  ping(): Promise<void>;
  close(): Promise<void>;
}
