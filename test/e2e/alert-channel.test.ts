import { SEED } from '../../src/sim/seed-tenant';
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
});
