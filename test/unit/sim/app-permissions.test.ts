import {
  DEFAULT_APP_PERMISSIONS,
  startGraphSimulator,
  type GraphSimulator,
} from '../../../src/sim/graph-simulator';
import { SEED } from '../../../src/sim/seed-tenant';
import { SimTestClient } from './sim-test-client';

// Graph answers a request the token's roles do not cover with 403 Authorization_RequestDenied,
// "Insufficient privileges to complete the operation." Permission tables: "Get directoryObject"
// (Directory.Read.All), "List directoryAudits" (AuditLog.Read.All and Directory.Read.All,
// learn.microsoft.com/graph/api/directoryaudit-list), "Add members" (GroupMember.ReadWrite.All).
describe('graph simulator: application permissions', () => {
  let sim: GraphSimulator;
  let client: SimTestClient;

  beforeAll(async () => {
    sim = await startGraphSimulator({ appPermissions: ['GroupMember.Read.All'] });
    client = new SimTestClient(sim);
  });
  afterAll(async () => {
    await client?.close();
    await sim?.stop();
  });

  it('grants by default what GroupGuard needs', () => {
    expect([...DEFAULT_APP_PERMISSIONS].sort()).toEqual([
      'AuditLog.Read.All',
      'Directory.Read.All',
      'Group.Read.All',
      'GroupMember.ReadWrite.All',
    ]);
  });

  it('answers 403 Authorization_RequestDenied where the token lacks the permission, and serves what it has', async () => {
    const token = await client.appToken();
    expect(
      (await client.call('GET', `/v1.0/groups/${SEED.groups.finance}`, { token })).status,
    ).toBe(200);
    for (const [method, path, body] of [
      ['GET', `/v1.0/directoryObjects/${SEED.users.alex}`, undefined],
      ['GET', '/v1.0/auditLogs/directoryAudits', undefined],
      [
        'POST',
        `/v1.0/groups/${SEED.groups.finance}/members/$ref`,
        { '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${SEED.users.alex}` },
      ],
    ] as const) {
      const answer = await client.call(method, path, { token, body });
      expect(answer.status).toBe(403);
      expect(answer.body.error).toMatchObject({
        code: 'Authorization_RequestDenied',
        message: 'Insufficient privileges to complete the operation.',
      });
    }
    expect(sim.directory.isMember(SEED.groups.finance, SEED.users.alex)).toBe(false);
  });

  it('applies a change of consent to tokens issued afterwards, as Entra does', async () => {
    const before = await client.appToken();
    sim.setAppPermissions([...DEFAULT_APP_PERMISSIONS]);
    const after = await client.appToken();
    const path = '/v1.0/auditLogs/directoryAudits';
    expect((await client.call('GET', path, { token: before })).status).toBe(403);
    expect((await client.call('GET', path, { token: after })).status).toBe(200);
  });

  it('lets a delegated admin act without app permissions', async () => {
    const token = await client.userToken('diegos@groupguard.demo');
    expect(
      (await client.call('GET', `/v1.0/directoryObjects/${SEED.users.alex}`, { token })).status,
    ).toBe(200);
  });
});
