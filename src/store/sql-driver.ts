export interface SqlClient {
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<{ rows: T[] }>;
}

/** A PostgreSQL connection (embedded PGlite or a pg pool); one SQL dialect for both. */
export interface SqlDriver extends SqlClient {
  transaction<T>(fn: (tx: SqlClient) => Promise<T>): Promise<T>;
  /**
   * Runs `fn` while holding a lock named `key` across every process sharing the database, or
   * returns `{ locked: false }` at once when another holder has it and `wait` is false.
   */
  withLock<T>(
    key: string,
    wait: boolean,
    fn: () => Promise<T>,
  ): Promise<{ locked: true; value: T } | { locked: false }>;
  close(): Promise<void>;
}
