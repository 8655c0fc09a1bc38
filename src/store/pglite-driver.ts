import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import type { SqlDriver } from './sql-driver.js';

/** Embedded PostgreSQL; `dataDir` null keeps everything in memory (tests). */
export async function createPgliteDriver(dataDir: string | null): Promise<SqlDriver> {
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  const db = dataDir ? new PGlite(dataDir) : new PGlite();
  await db.waitReady;
  return {
    query: async (sql, params) => db.query(sql, params as unknown[]),
    transaction: (fn) =>
      db.transaction((tx) => fn({ query: (sql, params) => tx.query(sql, params as unknown[]) })),
    close: () => db.close(),
  };
}
