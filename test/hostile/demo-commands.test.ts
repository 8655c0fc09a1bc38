import { TestAdapter, type Activity } from 'botbuilder';
import type { Config } from '../../src/config/config';
import { clientCredentialsToken } from '../../src/graph/client-credentials-token';
import { createGraphClient, createTrustingDispatcher } from '../../src/graph/create-graph-client';
import { createGraphDemoTenant } from '../../src/graph/graph-demo-tenant';
import { createGraphDirectory } from '../../src/graph/graph-directory';
import {
  simulatorConnection,
  startGraphSimulator,
  type GraphSimulator,
} from '../../src/sim/graph-simulator';
import { SEED } from '../../src/sim/seed-tenant';
import { createPgliteDriver } from '../../src/store/pglite-driver';
import { createSqlStore } from '../../src/store/sql-store';
import { cardActions } from '../../src/teams/card-actions/index';
import { commands } from '../../src/teams/commands/index';
import { GroupGuardBot } from '../../src/teams/group-guard-bot';
import { createBackgroundTasks } from '../../src/workflows/background-tasks';
import { createActorResolver } from '../../src/workflows/create-actor-resolver';
import { createAlertChannelBinding } from '../../src/workflows/create-alert-channel-binding';
import { createApproverPolicy } from '../../src/workflows/create-approver-policy';
import { createPrivilegePolicy } from '../../src/workflows/create-privilege-policy';
import { createMisplacedInvokeLog } from '../../src/workflows/create-misplaced-invoke-log';
import type { Log, Store } from '../../src/workflows/ports';

const quiet: Log = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
const FOREIGN_TENANT = '11111111-2222-4333-8444-555555555555';

/**
 * GroupGuardBot behind botbuilder's in-memory TestAdapter (a real adapter, used as the Teams
 * client), wired to the Graph simulator with a working demo tenant, so a refusal cannot be
 * mistaken for a missing one.
 */
describe('hostile input: demo-only commands and other tenants in live mode', () => {
  let sim: GraphSimulator;
  let store: Store;
  let botFor: (mode: Config['mode']) => GroupGuardBot;

  beforeAll(async () => {
    sim = await startGraphSimulator();
    const c = simulatorConnection(sim);
    const credentials = {
      tokenUrl: c.tokenUrl,
      clientId: c.clientId,
      clientSecret: c.clientSecret,
      dispatcher: createTrustingDispatcher(c.ca),
    };
    const endpoint = { baseUrl: c.url, ca: c.ca };
    const directory = createGraphDirectory(
      createGraphClient(clientCredentialsToken(credentials), endpoint),
    );
    const demoTenant = createGraphDemoTenant(
      createGraphClient(
        clientCredentialsToken({
          ...credentials,
          user: { username: 'diegos@groupguard.demo', password: c.adminPassword },
        }),
        endpoint,
      ),
      'Diego Siciliani',
    );
    store = await createSqlStore(await createPgliteDriver(null));
    const base = {
      store,
      directory,
      remediation: directory,
      log: quiet,
      clock: { now: () => new Date() },
    };
    const approvers = createApproverPolicy(base, { groupId: SEED.groups.secOpsApprovers });
    const actions = cardActions({
      ...base,
      approvers,
      privilege: createPrivilegePolicy(base, new Set()),
      restoreRequestTtlMs: 24 * 3_600_000,
      staleCaseAgeMs: 7 * 86_400_000,
      resolveActor: createActorResolver({ ...base, onCaseChanged: () => undefined }),
      onCaseChanged: () => undefined,
      answerWithinMs: 2_000,
      tasks: createBackgroundTasks(quiet),
    });
    botFor = (mode) =>
      new GroupGuardBot({
        mode,
        store,
        log: quiet,
        commands,
        cardActions: actions,
        demoTenant,
        cardContext: async () => ({
          approverGroupName: 'SecOps Approvers',
          disabledReason: null,
          tier0GroupIds: new Set(),
          audience: [],
        }),
        tenantId: mode === 'live' ? SEED.tenantId : null,
        alertChannel: createAlertChannelBinding({ store, log: quiet, pinned: null, approvers }),
        isApprover: (userId) => approvers.isApprover(userId),
        recordMisplacedInvoke: createMisplacedInvokeLog(base),
      });
  });
  afterAll(async () => {
    await store?.close();
    await sim?.stop();
  });

  const teamsClient = (bot: GroupGuardBot, tenantId = SEED.tenantId) =>
    new TestAdapter(async (ctx) => bot.run(ctx), {
      channelId: 'msteams',
      from: { id: '29:alex', name: 'Alex Wilber', aadObjectId: SEED.users.alex },
      conversation: {
        id: '19:secops@thread.tacv2;messageid=1',
        conversationType: 'channel',
        isGroup: true,
        tenantId,
        name: '',
      },
      channelData: {
        tenant: { id: tenantId },
        team: { id: '19:secops@thread.tacv2' },
        channel: { id: '19:secops@thread.tacv2' },
      },
    } as Partial<Activity>);

  const refused = (command: string) =>
    `\`${command}\` works only against the simulated tenant, not in live mode.`;

  it.each([
    'simulate remove Adele Vance from Tier 0 Admins',
    'SIMULATE remove Adele Vance from Tier 0 Admins',
    '/simulate remove Adele Vance from Tier 0 Admins',
    'simulate confirm-restore GG-1 as Megan Bowen: on call',
    'simulate',
  ])('refuses "%s" in live mode and changes nothing', async (text) => {
    await teamsClient(botFor('live')).send(text).assertReply(refused('simulate')).startTest();
    expect(sim.directory.isMember(SEED.groups.tier0, SEED.users.adele)).toBe(true);
    expect(sim.directory.auditRecords()).toEqual([]);
  });

  it('refuses acting as someone else behind authenticated Teams (simulated tenant)', async () => {
    await teamsClient(botFor('simulated-tenant'))
      .send('simulate confirm-restore GG-1 as Megan Bowen: on call')
      .assertReply('Clicking as someone else works only in the demo.')
      .startTest();
    expect(sim.directory.auditRecords()).toEqual([]);
  });

  it('does not offer simulate in live help', async () => {
    await teamsClient(botFor('live'))
      .send('help')
      .assertReply((reply) => {
        expect(reply.text).toContain('`help`');
        expect(reply.text).not.toContain('simulate');
      })
      .startTest();
  });

  it('runs the same command in demo mode, so the refusal above is the mode at work', async () => {
    await teamsClient(botFor('demo'))
      .send('simulate remove Isaiah Langer from Finance Team')
      .assertReply(
        'Diego Siciliani removed Isaiah Langer from Finance Team. A case card follows in a moment.',
      )
      .startTest();
    expect(sim.directory.isMember(SEED.groups.finance, SEED.users.isaiah)).toBe(false);
  });

  it('ignores messages and installs from another tenant in live mode', async () => {
    await teamsClient(botFor('live'))
      .send('help')
      .assertReply(() => undefined)
      .startTest();
    const foreign = teamsClient(botFor('live'), FOREIGN_TENANT);
    await foreign.send('help').startTest();
    expect(foreign.activeQueue).toEqual([]);
    await foreign
      .send({
        type: 'installationUpdate',
        action: 'add',
        serviceUrl: 'https://smba.evil.example/',
      } as Partial<Activity>)
      .startTest();
    // Bound earlier by our own tenant; the foreign install must not move it.
    expect(await store.getAlertChannel()).toMatchObject({
      tenantId: SEED.tenantId,
      serviceUrl: 'https://test.com',
    });
  });
});
