import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPgliteDriver } from '../../src/store/pglite-driver';
import { createSqlStore } from '../../src/store/sql-store';
import { describeStoreContract } from './store-contract';

describeStoreContract('embedded PGlite', () => createPgliteDriver(null));

describe('embedded PGlite on disk', () => {
  it('keeps cases and the alert channel across a restart, migrating once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'groupguard-store-'));
    try {
      const first = await createSqlStore(await createPgliteDriver(dir));
      await first.claimAlertChannel({
        serviceUrl: 'http://c/',
        tenantId: 't',
        teamId: 'team',
        channelId: 'ch',
      });
      await first.close();
      const second = await createSqlStore(await createPgliteDriver(dir));
      expect(await second.getAlertChannel()).toMatchObject({ channelId: 'ch' });
      await second.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
