import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DATA_DIR_FILES, DataDirError, type Config } from '../config/config.js';
import type { Store, TenantBinding } from '../workflows/ports/index.js';
import { createPgDriver } from './pg-driver.js';
import { createPgliteDriver } from './pglite-driver.js';
import type { SqlDriver } from './sql-driver.js';
import { createSqlStore } from './sql-store.js';

type StoreSettings = Pick<Config, 'databaseUrl' | 'dataDir'>;

const OWN_FILES = new Set<string>([
  ...Object.values(DATA_DIR_FILES),
  `${DATA_DIR_FILES.simulatedTenant}.tmp`,
]);

/** DATA_DIR as an absolute path, or DATABASE_URL without its credentials. */
function describePlace(config: StoreSettings): string {
  if (!config.databaseUrl) return `DATA_DIR ${resolve(config.dataDir)}`;
  const url = new URL(config.databaseUrl);
  return `the database at DATABASE_URL (${url.protocol}//${url.host}${url.pathname})`;
}

function whatToDo(config: StoreSettings): string {
  return config.databaseUrl
    ? 'Point DATABASE_URL at another database to start afresh'
    : `Point DATA_DIR at another directory, or move ${resolve(config.dataDir)} away to start afresh`;
}

const describeTenant = (t: TenantBinding) =>
  t.simulated ? 'the simulated demo tenant' : `tenant ${t.tenantId}`;

/** Opens PGlite in `dir` only if the directory is empty, new, or GroupGuard's. */
async function openDataDir(config: StoreSettings): Promise<SqlDriver> {
  const dir = config.dataDir;
  const refuse = (problem: string) =>
    new DataDirError(
      `${describePlace(config)} ${problem}. ${whatToDo(config)}; nothing in it was deleted.`,
    );
  const pidFile = join(dir, 'postmaster.pid');
  let hadPidFile = false;
  if (existsSync(dir)) {
    if (!statSync(dir).isDirectory()) throw refuse('is not a directory');
    const entries = readdirSync(dir);
    const foreign = entries.filter((e) => !OWN_FILES.has(e));
    if (foreign.length > 0 && !entries.includes('PG_VERSION')) {
      const shown = foreign.slice(0, 3).join(', ') + (foreign.length > 3 ? ', …' : '');
      throw refuse(`is not GroupGuard's data: it holds ${shown} and no embedded store`);
    }
    hadPidFile = entries.includes('postmaster.pid');
  }
  try {
    return await createPgliteDriver(dir);
  } catch (error) {
    // PGlite leaves its lock file behind when it fails; take away only one it just made.
    if (!hadPidFile) rmSync(pidFile, { force: true });
    const cause = error instanceof Error ? error.message : String(error);
    throw refuse(
      `cannot be opened as GroupGuard's store (PGlite: ${cause}); it is damaged or not GroupGuard's`,
    );
  }
}

/**
 * The store the settings name: PostgreSQL at DATABASE_URL, else embedded under DATA_DIR. With
 * `tenant`, the store must belong to that tenant (an unbound one is bound to it); a store from
 * another tenant is refused with DataDirError, as is a DATA_DIR that is damaged or not ours.
 */
export async function openStore(config: StoreSettings, tenant?: TenantBinding): Promise<Store> {
  const store = await createSqlStore(
    config.databaseUrl
      ? await createPgDriver(config.databaseUrl)
      : config.dataDir === ':memory:'
        ? await createPgliteDriver(null)
        : await openDataDir(config),
  );
  if (!tenant) return store;
  const bound = await store.bindTenant(tenant);
  if (bound.tenantId === tenant.tenantId.toLowerCase() && bound.simulated === tenant.simulated) {
    return store;
  }
  await store.close();
  throw new DataDirError(
    `${describePlace(config)} holds the data of ${describeTenant(bound)}, not of ${describeTenant(tenant)}. ${whatToDo(config)}; nothing in it was deleted.`,
  );
}
