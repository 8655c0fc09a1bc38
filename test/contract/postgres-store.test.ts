import { createPgDriver } from '../../src/store/pg-driver';
import { describeStoreContract } from './store-contract';
import { postgresForTests } from './postgres-for-tests';

const postgres = postgresForTests();

if (postgres.available) {
  describeStoreContract('PostgreSQL (pg)', async () =>
    createPgDriver(postgres.url, { searchPath: await postgres.freshSchema() }),
  );
} else {
  describe('Store contract: PostgreSQL (pg)', () => {
    it('needs a PostgreSQL server', () => postgres.reportMissing());
  });
}

afterAll(() => postgres.dropSchemas());
