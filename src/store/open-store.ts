import type { Config } from '../config/config.js';
import type { Store } from '../workflows/ports/index.js';
import { createPgDriver } from './pg-driver.js';
import { createPgliteDriver } from './pglite-driver.js';
import { createSqlStore } from './sql-store.js';

/** The store the settings name: PostgreSQL at DATABASE_URL, else embedded under DATA_DIR. */
export async function openStore(config: Pick<Config, 'databaseUrl' | 'dataDir'>): Promise<Store> {
  return createSqlStore(
    config.databaseUrl
      ? await createPgDriver(config.databaseUrl)
      : await createPgliteDriver(config.dataDir === ':memory:' ? null : config.dataDir),
  );
}
