import { DataDirError } from '../../src/config/config';
import { openStore } from '../../src/store/open-store';
import { createPgDriver } from '../../src/store/pg-driver';
import { createSqlStore } from '../../src/store/sql-store';
import { describeStoreContract } from './store-contract';
import { postgresForTests } from './postgres-for-tests';

const postgres = postgresForTests();

if (postgres.available) {
  describeStoreContract('PostgreSQL (pg)', async () =>
    createPgDriver(postgres.url, { searchPath: await postgres.freshSchema() }),
  );

  describe('PostgreSQL with several replicas starting at once', () => {
    it('migrates a fresh database once, whoever comes first', async () => {
      const searchPath = await postgres.freshSchema();
      const stores = await Promise.all(
        Array.from({ length: 4 }, async () =>
          createSqlStore(await createPgDriver(postgres.url, { searchPath })),
        ),
      );
      for (const store of stores) await store.ping();
      await Promise.all(stores.map((store) => store.close()));
    });
  });

  describe('openStore on PostgreSQL', () => {
    it("refuses another tenant's database, naming it without credentials", async () => {
      const url = new URL(postgres.url);
      url.password = 'never-shown';
      url.searchParams.set('options', `-c search_path=${await postgres.freshSchema()}`);
      const settings = { databaseUrl: url.toString(), dataDir: ':memory:' };
      const live = { tenantId: '0b9e8d7c-6a5f-4e3d-9c2b-1a0f9e8d7c6b', simulated: false };
      await (await openStore(settings, live)).close();

      const refused = openStore(settings, { ...live, simulated: true });
      await expect(refused).rejects.toBeInstanceOf(DataDirError);
      const message = await refused.catch((error: Error) => error.message);
      expect(message).toContain(
        `the database at DATABASE_URL (postgres://${url.host}${url.pathname}) holds the data of tenant ${live.tenantId}, not of the simulated demo tenant`,
      );
      expect(message).toContain('Point DATABASE_URL at another database');
      expect(message).not.toMatch(/never-shown|search_path/);
      await (await openStore(settings, live)).close();
    });
  });
} else {
  describe('Store contract: PostgreSQL (pg)', () => {
    it('needs a PostgreSQL server', () => postgres.reportMissing());
  });
}

afterAll(() => postgres.dropSchemas());
