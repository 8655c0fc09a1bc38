import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  SimulatedTenantFileError,
  startGraphSimulator,
  type GraphSimulator,
} from '../../../src/sim/graph-simulator.js';
import { SEED } from '../../../src/sim/seed-tenant.js';
import { SimTestClient, startReceiver, type Receiver } from './sim-test-client.js';

const { mfaRequired } = SEED.groups;

/** The simulator's own origin in a link is whatever port it had; the path and token stay. */
const onto = (link: string, sim: GraphSimulator) => link.replace(/^https:\/\/[^/]+/, sim.url);

describe('graph simulator: the tenant kept in a file between runs', () => {
  let dir: string;
  let file: string;
  const running: Array<{ sim: GraphSimulator; client: SimTestClient }> = [];
  const receivers: Receiver[] = [];

  const start = async () => {
    const sim = await startGraphSimulator({
      stateFile: file,
      notificationRetry: { attempts: 1, initialDelayMs: 10 },
    });
    const client = new SimTestClient(sim);
    running.push({ sim, client });
    return { sim, client, token: await client.appToken() };
  };
  const stop = async () => {
    for (const { sim, client } of running.splice(0)) {
      await client.close();
      await sim.stop();
    }
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'groupguard-sim-'));
    file = join(dir, 'simulated-tenant.json');
  });
  afterEach(async () => {
    await stop();
    await Promise.all(receivers.splice(0).map((r) => r.close()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('carries on after a restart: members, change log, audit log, delta links, subscriptions', async () => {
    const first = await start();
    const notify = await startReceiver();
    receivers.push(notify);
    const created = await first.client.call('POST', '/v1.0/subscriptions', {
      token: first.token,
      body: {
        changeType: 'updated',
        notificationUrl: notify.url,
        resource: 'groups',
        expirationDateTime: new Date(Date.now() + 3_600_000).toISOString(),
        clientState: 'kept',
      },
    });
    expect(created.status).toBe(201);
    const pages = await first.client.pages(
      `/v1.0/groups/delta?$select=members&$filter=id eq '${mfaRequired}'`,
      first.token,
    );
    const deltaLink = pages.at(-1)?.body['@odata.deltaLink'] as string;
    first.sim.directory.removeMember(mfaRequired, SEED.users.adele, SEED.users.diego);
    const audits = first.sim.directory.auditRecords();
    await stop();

    const second = await start();
    expect(second.sim.directory.isMember(mfaRequired, SEED.users.adele)).toBe(false);
    expect(second.sim.directory.auditRecords()).toEqual(audits);
    // Graph keeps a subscription while the app is down (until it expires).
    expect(second.sim.directory.subscriptions()).toEqual([
      expect.objectContaining({ id: created.body.id, clientState: 'kept' }),
    ]);
    // The same instance answers the earlier delta link with what changed since.
    const round = await second.client.call('GET', onto(deltaLink, second.sim), {
      token: second.token,
    });
    expect(round.status).toBe(200);
    expect(round.body.value[0]['members@delta']).toEqual([
      expect.objectContaining({ id: SEED.users.adele, '@removed': { reason: 'deleted' } }),
    ]);

    second.sim.directory.removeMember(mfaRequired, SEED.users.isaiah, SEED.users.diego);
    const [notification] = await notify.waitFor(1);
    // The change log goes on: this is the second change, and ids do not repeat.
    expect(JSON.parse(notification?.body ?? '{}').value[0].resourceData.sequenceNumber).toBe(2);
    const ids = second.sim.directory.auditRecords().map((a) => a.id);
    expect(new Set(ids).size).toBe(2);
  });

  it('without its file, starts the seeded tenant afresh: earlier delta links get 410 Gone', async () => {
    const first = await start();
    const pages = await first.client.pages('/v1.0/groups/delta?$select=members', first.token);
    const deltaLink = pages.at(-1)?.body['@odata.deltaLink'] as string;
    first.sim.directory.removeMember(mfaRequired, SEED.users.adele, SEED.users.diego);
    await stop();
    rmSync(file);

    const second = await start();
    expect(second.sim.directory.isMember(mfaRequired, SEED.users.adele)).toBe(true);
    const gone = await second.client.call('GET', onto(deltaLink, second.sim), {
      token: second.token,
    });
    expect(gone.status).toBe(410);
  });

  it.each([
    ['not JSON', () => '{"format":"groupguard-simulated-tenant", "vers'],
    ['another format', () => JSON.stringify({ format: 'something-else', version: 1 })],
    [
      "another tenant's",
      () => {
        const saved = JSON.parse(readFileSync(file, 'utf8'));
        return JSON.stringify({ ...saved, tenantId: '11111111-2222-4333-8444-555555555555' });
      },
    ],
  ])('refuses a file that is %s and leaves it as it was', async (_kind, content) => {
    await start();
    await stop();
    const text = content();
    writeFileSync(file, text);
    const refused = startGraphSimulator({ stateFile: file });
    await expect(refused).rejects.toBeInstanceOf(SimulatedTenantFileError);
    await expect(refused).rejects.toThrow(file);
    expect(readFileSync(file, 'utf8')).toBe(text);
  });
});
