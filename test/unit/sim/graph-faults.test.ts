import { startGraphSimulator, type GraphSimulator } from '../../../src/sim/graph-simulator.js';
import { SEED } from '../../../src/sim/seed-tenant.js';
import { SimTestClient } from './sim-test-client.js';

describe('graph simulator: throttling and outage faults', () => {
  let sim: GraphSimulator;
  let client: SimTestClient;

  beforeEach(async () => {
    sim = await startGraphSimulator();
    client = new SimTestClient(sim);
  });
  afterEach(async () => {
    await client.close();
    await sim.stop();
  });

  it('answers 429 TooManyRequests with Retry-After: 1, but never on the token endpoint', async () => {
    sim.setFaults({ throttle429: 1 });
    const token = await client.appToken();
    const r = await client.call('GET', `/v1.0/groups/${SEED.groups.finance}`, { token });
    expect(r.status).toBe(429);
    expect(r.headers.get('retry-after')).toBe('1');
    expect(r.body.error).toMatchObject({
      code: 'TooManyRequests',
      message: 'Please retry again later.',
      innerError: {
        code: '429',
        message: 'Please retry after',
        status: '429',
        'request-id': r.headers.get('request-id'),
      },
    });
    sim.setFaults({ throttle429: 0 });
    expect(
      (await client.call('GET', `/v1.0/groups/${SEED.groups.finance}`, { token })).status,
    ).toBe(200);
  });

  it('answers 503 serviceNotAvailable with Retry-After: 1', async () => {
    const token = await client.appToken();
    sim.setFaults({ unavailable503: 1 });
    const r = await client.call('GET', '/v1.0/groups/delta', { token });
    expect(r.status).toBe(503);
    expect(r.headers.get('retry-after')).toBe('1');
    expect(r.body.error.code).toBe('serviceNotAvailable');
  });

  it('throttles the same requests for the same seed', async () => {
    const pattern = async (seed: number): Promise<number[]> => {
      const s = await startGraphSimulator({ seed, faults: { throttle429: 0.5 } });
      const c = new SimTestClient(s);
      const token = await c.appToken();
      const statuses: number[] = [];
      for (let i = 0; i < 12; i++) {
        statuses.push((await c.call('GET', `/v1.0/groups/${SEED.groups.tier0}`, { token })).status);
      }
      await c.close();
      await s.stop();
      return statuses;
    };
    const a = await pattern(3);
    expect(await pattern(3)).toEqual(a);
    expect(a).toContain(429);
    expect(a).toContain(200);
  });

  describe('held routes', () => {
    const membersRef = `/v1.0/groups/${SEED.groups.finance}/members/$ref`;
    const ref = {
      '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${SEED.users.grady}`,
    };

    it('holds a write before Graph acts on it, and lets it through on release', async () => {
      const token = await client.appToken();
      const held = sim.hold('POST', 'groups/:id/members/$ref');
      let answered = false;
      const add = client.call('POST', membersRef, { token, body: ref }).then((r) => {
        answered = true;
        return r;
      });
      await held.arrivals(1);
      expect(held.arrived).toBe(1);
      // Other routes pass while this one is held.
      const read = await client.call('GET', `/v1.0/groups/${SEED.groups.finance}`, { token });
      expect(read.status).toBe(200);
      expect(answered).toBe(false);
      expect(sim.directory.isMember(SEED.groups.finance, SEED.users.grady)).toBe(false);

      held.release();
      expect((await add).status).toBe(204);
      expect(sim.directory.isMember(SEED.groups.finance, SEED.users.grady)).toBe(true);
      const again = await client.call(
        'DELETE',
        `/v1.0/groups/${SEED.groups.finance}/members/${SEED.users.grady}/$ref`,
        { token },
      );
      expect(again.status).toBe(204);
      expect(held.arrived).toBe(1);
    });

    it('throttles a route with a long Retry-After until release, changing nothing', async () => {
      const token = await client.appToken();
      const storm = sim.hold('POST', 'groups/:id/members/$ref', { throttleRetryAfterSeconds: 120 });
      for (let i = 1; i <= 2; i++) {
        const r = await client.call('POST', membersRef, { token, body: ref });
        expect(r.status).toBe(429);
        expect(r.headers.get('retry-after')).toBe('120');
        expect(r.body.error).toMatchObject({
          code: 'TooManyRequests',
          innerError: { status: '429' },
        });
        expect(storm.arrived).toBe(i);
      }
      expect(sim.directory.isMember(SEED.groups.finance, SEED.users.grady)).toBe(false);
      storm.release();
      expect((await client.call('POST', membersRef, { token, body: ref })).status).toBe(204);
    });
  });
});
