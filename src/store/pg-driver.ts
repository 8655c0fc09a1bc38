import pg from 'pg';
import type { SqlDriver } from './sql-driver.js';

// int8 → number: every bigint we store (ids, counts) stays far below 2^53.
pg.types.setTypeParser(20, (value) => Number(value));

/** PostgreSQL through a pg pool, for several replicas sharing one database. */
export async function createPgDriver(
  connectionString: string,
  options: { searchPath?: string; max?: number } = {},
): Promise<SqlDriver> {
  const pool = new pg.Pool({
    connectionString,
    max: options.max ?? 10,
    ...(options.searchPath ? { options: `-c search_path=${options.searchPath}` } : {}),
  });
  // An idle client that dies (server restart) must not crash the process.
  pool.on('error', () => undefined);
  await pool.query('SELECT 1');
  /**
   * A checked-out client has no error listener (pg-pool removes its own), so a connection lost
   * between two queries, as under a lock held while Graph answers, would crash the process. Its
   * next query fails instead, and the client is not reused.
   */
  const checkOut = async () => {
    const client = await pool.connect();
    let lost = false;
    const onError = () => (lost = true);
    client.on('error', onError);
    return {
      client,
      release(failed: boolean) {
        client.off('error', onError);
        client.release(failed || lost);
      },
    };
  };
  return {
    query: async (sql, params) => (await pool.query(sql, params)) as never,
    async transaction(fn) {
      const { client, release } = await checkOut();
      let failed = false;
      try {
        await client.query('BEGIN');
        const value = await fn({
          query: async (sql, params) => (await client.query(sql, params)) as never,
        });
        await client.query('COMMIT');
        return value;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => (failed = true));
        throw error;
      } finally {
        release(failed);
      }
    },
    async withLock(key, wait, fn) {
      const { client, release } = await checkOut();
      let releaseError = false;
      try {
        if (wait) {
          await client.query('SELECT pg_advisory_lock(hashtext($1))', [key]);
        } else {
          const { rows } = await client.query<{ locked: boolean }>(
            'SELECT pg_try_advisory_lock(hashtext($1)) AS locked',
            [key],
          );
          if (!rows[0]?.locked) return { locked: false };
        }
        try {
          return { locked: true, value: await fn() };
        } finally {
          // A connection that may still hold the lock must not go back to the pool.
          await client
            .query('SELECT pg_advisory_unlock(hashtext($1))', [key])
            .catch(() => (releaseError = true));
        }
      } finally {
        release(releaseError);
      }
    },
    close: () => pool.end(),
  };
}
