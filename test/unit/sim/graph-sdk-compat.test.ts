import {
  Client,
  GraphError,
  PageIterator,
  RetryHandlerOptions,
} from '@microsoft/microsoft-graph-client';
import { Agent } from 'undici';
import { startGraphSimulator, type GraphSimulator } from '../../../src/sim/graph-simulator.js';
import { SEED } from '../../../src/sim/seed-tenant.js';
import { SimTestClient } from './sim-test-client.js';

describe('@microsoft/microsoft-graph-client 3.0.7 against the simulator', () => {
  let sim: GraphSimulator;
  let agent: Agent;
  let client: Client;
  let faultsSeen = 0;

  beforeAll(async () => {
    sim = await startGraphSimulator({
      log: (msg) => {
        if (msg === 'graph-sim: fault injected') {
          faultsSeen++;
          sim.setFaults({ throttle429: 0 });
        }
      },
    });
    const helper = new SimTestClient(sim);
    const token = await helper.appToken();
    await helper.close();
    agent = new Agent({ connect: { ca: sim.ca } });
    client = Client.initWithMiddleware({
      authProvider: { getAccessToken: async () => token },
      baseUrl: `${sim.url}/`,
      defaultVersion: 'v1.0',
      customHosts: new Set(['127.0.0.1']),
      fetchOptions: { dispatcher: agent } as RequestInit,
    });
  });
  afterAll(async () => {
    await agent.close();
    await sim.stop();
  });

  it('GETs a group with $select', async () => {
    const group = await client
      .api(`/groups/${SEED.groups.tier0}`)
      .select('id,isAssignableToRole')
      .get();
    expect(group).toMatchObject({ id: SEED.groups.tier0, isAssignableToRole: true });
  });

  it('follows an absolute https nextLink with client.api(nextLink) and PageIterator', async () => {
    const first = await client.api(`/groups/${SEED.groups.mfaRequired}/members`).top(5).get();
    expect(first.value).toHaveLength(5);
    expect(first['@odata.nextLink']).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/v1\.0\//);
    const second = await client.api(first['@odata.nextLink']).get();
    expect(second.value).toHaveLength(5);
    expect(second.value[0].id).not.toBe(first.value[0].id);

    const ids: string[] = [];
    const iterator = new PageIterator(client, first, (member: { id: string }) => {
      ids.push(member.id);
      return true;
    });
    await iterator.iterate();
    expect(ids.sort()).toEqual(sim.directory.members(SEED.groups.mfaRequired).sort());
  });

  it('runs a groups delta round through nextLink and deltaLink', async () => {
    let page = await client.api('/groups/delta').select('displayName,members').get();
    let pages = 1;
    while (page['@odata.nextLink']) {
      page = await client.api(page['@odata.nextLink']).get();
      pages++;
    }
    expect(pages).toBeGreaterThan(1);
    sim.directory.removeMember(SEED.groups.finance, SEED.users.isaiah, SEED.users.diego);
    const round = await client.api(page['@odata.deltaLink']).get();
    expect(round.value).toEqual([
      {
        id: SEED.groups.finance,
        displayName: 'Finance Team',
        'members@delta': [
          {
            '@odata.type': '#microsoft.graph.user',
            id: SEED.users.isaiah,
            '@removed': { reason: 'deleted' },
          },
        ],
      },
    ]);
  });

  it('sends an unencoded $filter the way the SDK builds it', async () => {
    const page = await client
      .api(`/groups/delta?$select=members&$filter=id eq '${SEED.groups.tier0}'`)
      .get();
    expect(page.value.map((g: { id: string }) => g.id)).toEqual([SEED.groups.tier0]);
    expect(page['@odata.deltaLink']).toBeDefined();
  });

  it('surfaces Graph errors as GraphError with code and requestId', async () => {
    const error = await client
      .api(`/groups/${SEED.groups.finance}/members/$ref`)
      .post({
        '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${SEED.users.patti}`,
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GraphError);
    expect(error).toMatchObject({
      statusCode: 400,
      code: 'Request_BadRequest',
      message: expect.stringMatching(/added object references already exist/),
      requestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
  });

  it("lets the SDK's RetryHandler recover from a 429 using Retry-After", async () => {
    sim.setFaults({ throttle429: 1 });
    const started = Date.now();
    const group = await client
      .api(`/groups/${SEED.groups.finance}`)
      .middlewareOptions([new RetryHandlerOptions(1, 2)])
      .get();
    expect(group.id).toBe(SEED.groups.finance);
    expect(faultsSeen).toBe(1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
  });
});
