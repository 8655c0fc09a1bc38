import { clientCredentialsToken } from '../../src/graph/client-credentials-token';
import { createGraphClient, createTrustingDispatcher } from '../../src/graph/create-graph-client';
import { createGraphDirectory } from '../../src/graph/graph-directory';
import { simulatorConnection } from '../../src/sim/graph-simulator';
import { SEED } from '../../src/sim/seed-tenant';
import { createAlertChannelBinding } from '../../src/workflows/create-alert-channel-binding';
import { createApproverPolicy } from '../../src/workflows/create-approver-policy';
import type { Log } from '../../src/workflows/ports';
import { botInstalledInTeam } from '../fakes/teams-activities';
import { startGroupGuard, teamsUser, type GroupGuardUnderTest } from './start-groupguard';

const alex = teamsUser('Alex Wilber', SEED.users.alex);
const secops = { id: '19:secops-general@thread.tacv2', name: 'SecOps' };
const other = { id: '19:someone-elses-team@thread.tacv2', name: 'Marketing' };

describe('the alert channel', () => {
  let gg: GroupGuardUnderTest;

  beforeAll(async () => {
    gg = await startGroupGuard();
  });
  afterAll(async () => {
    await gg?.stop();
  });

  const install = (team: { id: string; name: string }) =>
    botInstalledInTeam({ from: alex, serviceUrl: gg.connector.serviceUrl, bot: gg.bot, team });

  it('is the first team that installs the bot, and installing it elsewhere does not move it', async () => {
    for (const activity of install(secops)) expect((await gg.send(activity)).status).toBe(200);
    expect(await gg.app.store.getAlertChannel()).toMatchObject({ teamId: secops.id });
    for (const activity of install(other)) expect((await gg.send(activity)).status).toBe(200);
    expect(await gg.app.store.getAlertChannel()).toMatchObject({ teamId: secops.id });
  });

  it('is unbound when the bot leaves that team; another install does not take it, the same team back does', async () => {
    const [, otherInstall] = install(other);
    expect((await gg.send({ ...otherInstall, action: 'remove' })).status).toBe(200);
    expect(await gg.app.store.getAlertChannel()).toMatchObject({ teamId: secops.id });

    const [, secopsInstall] = install(secops);
    expect((await gg.send({ ...secopsInstall, action: 'remove' })).status).toBe(200);
    expect(await gg.app.store.getAlertChannel()).toBeNull();

    for (const activity of install(other)) await gg.send(activity);
    expect(await gg.app.store.getAlertChannel()).toBeNull();

    for (const activity of install(secops)) await gg.send(activity);
    expect(await gg.app.store.getAlertChannel()).toMatchObject({ teamId: secops.id });
  });

  it('moves only when an approver binds it (alerts here), and says who in the log', async () => {
    const c = simulatorConnection(gg.sim);
    const directory = createGraphDirectory(
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
    const warnings: Array<{ fields: object; message: string }> = [];
    const log: Log = {
      debug: () => undefined,
      info: () => undefined,
      warn: (fields, message) => warnings.push({ fields, message }),
      error: () => undefined,
    };
    const clock = { now: () => new Date() };
    const approvers = createApproverPolicy(
      { directory, store: gg.app.store, log, clock },
      { groupId: SEED.groups.secOpsApprovers },
    );
    const binder = (pinned: { teamId: string; channelId: string } | null) =>
      createAlertChannelBinding({ store: gg.app.store, log, pinned, approvers });
    const bound = await gg.app.store.getAlertChannel();
    if (!bound) throw new Error('expected SecOps to hold the alert channel');
    const target = { ...bound, teamId: other.id, channelId: other.id };

    const lee = { id: SEED.users.lee, name: 'Lee Gu' };
    expect(await binder(null).bind(target, lee)).toEqual({ kind: 'not-approver' });
    expect(await gg.app.store.getAlertChannel()).toEqual(bound);

    const pin = { teamId: secops.id, channelId: secops.id };
    const megan = { id: SEED.users.megan, name: 'Megan Bowen' };
    expect(await binder(pin).bind(target, megan)).toEqual({ kind: 'pinned', pinned: pin });
    expect(await gg.app.store.getAlertChannel()).toEqual(bound);

    expect(await binder(null).bind(target, megan)).toEqual({ kind: 'bound', previous: bound });
    expect(await gg.app.store.getAlertChannel()).toEqual(target);
    expect(warnings.at(-1)).toEqual({
      fields: expect.objectContaining({
        by: SEED.users.megan,
        to: { teamId: other.id, channelId: other.id },
      }),
      message: 'alert channel bound by an approver',
    });
  });
});
