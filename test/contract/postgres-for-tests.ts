import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const DEFAULT_TEST_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test';

/**
 * The machine's PostgreSQL for suites that need a real server. Absent: outside CI the suite
 * says SKIPPED loudly; under CI=true the absence fails the run.
 */
export function postgresForTests() {
  const url = process.env.TEST_DATABASE_URL ?? DEFAULT_TEST_DATABASE_URL;
  const available = isReachable(url);
  const created: string[] = [];
  return {
    url,
    available,
    /** A new schema for one test, so runs never see each other's rows. */
    async freshSchema(): Promise<string> {
      const schema = `gg_test_${randomBytes(6).toString('hex')}`;
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      await client.query(`CREATE SCHEMA ${schema}`);
      await client.end();
      created.push(schema);
      return schema;
    },
    async dropSchemas(): Promise<void> {
      if (created.length === 0) return;
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      for (const schema of created.splice(0))
        await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await client.end();
    },
    reportMissing(): void {
      const message = `PostgreSQL not reachable at ${url} (set TEST_DATABASE_URL or start the server)`;
      if (process.env.CI === 'true') throw new Error(`FAILED under CI: ${message}`);
      process.stderr.write(`\nSKIPPED: ${message}\n`);
    },
  };
}

function isReachable(url: string): boolean {
  const { hostname, port } = new URL(url);
  try {
    execFileSync('pg_isready', ['-q', '-h', hostname, '-p', port || '5432'], { timeout: 5000 });
    return true;
  } catch {
    return false;
  }
}
