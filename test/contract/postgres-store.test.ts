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
} else {
  describe('Store contract: PostgreSQL (pg)', () => {
    it('needs a PostgreSQL server', () => postgres.reportMissing());
  });
}

afterAll(() => postgres.dropSchemas());
