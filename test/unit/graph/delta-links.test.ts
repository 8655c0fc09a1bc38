import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clientCredentialsToken } from '../../../src/graph/client-credentials-token.js';
import {
  createGraphClient,
  createTrustingDispatcher,
} from '../../../src/graph/create-graph-client.js';
import { createGraphDirectory } from '../../../src/graph/graph-directory.js';
import { relativeGraphLink } from '../../../src/graph/relative-graph-link.js';
import {
  simulatorConnection,
  startGraphSimulator,
  type GraphSimulator,
} from '../../../src/sim/graph-simulator.js';
import { SEED } from '../../../src/sim/seed-tenant.js';

const { mfaRequired } = SEED.groups;

function directoryOf(sim: GraphSimulator) {
  const c = simulatorConnection(sim);
  return createGraphDirectory(
    createGraphClient(
      clientCredentialsToken({
        tokenUrl: c.tokenUrl,
        clientId: c.clientId,
        clientSecret: c.clientSecret,
        dispatcher: createTrustingDispatcher(c.ca),
      }),
      { baseUrl: c.url, ca: c.ca },
    ),
  );
}

describe('delta links are kept relative to the Graph base', () => {
  it("drops only a live link's origin and version", () => {
    // Shape of the deltaLink in "deltaLink response", learn.microsoft.com/graph/delta-query-groups.
    expect(
      relativeGraphLink(
        'https://graph.microsoft.com/v1.0/groups/delta?$deltatoken=Aq7Pk_1xWz-Q3rT9yB2mN8vC',
      ),
    ).toBe('/groups/delta?$deltatoken=Aq7Pk_1xWz-Q3rT9yB2mN8vC');
    expect(relativeGraphLink('/groups/delta?$deltatoken=abc')).toBe(
      '/groups/delta?$deltatoken=abc',
    );
  });

  it('a link stored in one run works against the simulator on another port in the next', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'groupguard-links-'));
    const stateFile = join(dir, 'simulated-tenant.json');
    let sim = await startGraphSimulator({ stateFile });
    try {
      const baseline = await directoryOf(sim).readGroupDelta(mfaRequired, null);
      expect(baseline.deltaLink).toMatch(/^\/groups\/delta\?\$deltatoken=[\w-]+$/);
      // A link an earlier version stored with the origin of a simulator long gone.
      const absolute = `https://127.0.0.1:1/v1.0${baseline.deltaLink}`;
      sim.directory.removeMember(mfaRequired, SEED.users.adele, SEED.users.diego);
      await sim.stop();

      sim = await startGraphSimulator({ stateFile });
      const directory = directoryOf(sim);
      for (const link of [baseline.deltaLink, absolute]) {
        const round = await directory.readGroupDelta(mfaRequired, link);
        expect(round.deltas).toEqual([{ id: SEED.users.adele, removed: true }]);
        expect(round.deltaLink).toMatch(/^\/groups\/delta\?/);
      }
    } finally {
      await sim.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
