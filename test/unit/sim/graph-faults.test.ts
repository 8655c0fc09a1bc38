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
});
