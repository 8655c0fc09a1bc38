import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { inProcessLocks } from './in-process-locks.js';
import type { SqlDriver } from './sql-driver.js';

/** Embedded PostgreSQL for a single process; `dataDir` null keeps everything in memory (tests). */
export async function createPgliteDriver(dataDir: string | null): Promise<SqlDriver> {
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  const db = dataDir ? new PGlite(dataDir) : new PGlite();
  await db.waitReady;
  return {
    query: async (sql, params) => db.query(sql, params as unknown[]),
    transaction: (fn) =>
      db.transaction((tx) => fn({ query: (sql, params) => tx.query(sql, params as unknown[]) })),
    withLock: inProcessLocks(),
    close: () => db.close(),
  };
}
