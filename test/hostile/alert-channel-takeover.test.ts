import { Writable } from 'node:stream';
import { SEED } from '../../src/sim/seed-tenant';
import { casePost } from '../e2e/case-cards';
import {
  eventually,
  startGroupGuard,
  teamsUser,
  type GroupGuardUnderTest,
} from '../e2e/start-groupguard';
import { TEAMS_TENANT_ID, botInstalledInTeam } from '../fakes/teams-activities';

const alex = teamsUser('Alex Wilber', SEED.users.alex);
const mallory = teamsUser('Mallory', '0c0c0c0c-1111-4222-8333-444455556666');
const secops = { id: '19:secops-general@thread.tacv2', name: 'SecOps' };
const intruders = { id: '19:intruders-general@thread.tacv2', name: 'Intruders' };

function capturedLog() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { lines, destination };
}

const readyz = async (gg: GroupGuardUnderTest) => {
  const response = await fetch(`${gg.url}/readyz`);
  return {
    status: response.status,
    body: (await response.json()) as { checks: { alertChannel: string } },
  };
};

const installIn = (gg: GroupGuardUnderTest, team: { id: string; name: string }, by = alex) =>
  botInstalledInTeam({ from: by, serviceUrl: gg.connector.serviceUrl, bot: gg.bot, team });

describe('hostile: taking the alert channel by installing the bot elsewhere', () => {
  let gg: GroupGuardUnderTest;
  const log = capturedLog();

  beforeAll(async () => {
    gg = await startGroupGuard({ LOG_LEVEL: 'warn' }, { logDestination: log.destination });
    for (const activity of installIn(gg, secops))
      expect((await gg.send(activity)).status).toBe(200);
  });
  afterAll(async () => {
    await gg?.stop();
  });

  it('holds the cases when the bot is removed from the alert team and another team installs it next', async () => {
    // Teams tells a bot it was removed from a team with a conversationUpdate (membersRemoved).
    const [added] = installIn(gg, secops);
    const removed = {
      ...added,
      membersAdded: undefined,
      membersRemoved: [{ id: gg.bot.id }],
      channelData: { ...added.channelData, eventType: 'teamMemberRemoved' },
    };
    expect((await gg.send(removed)).status).toBe(200);

    const afterRemoval = await readyz(gg);
    expect(afterRemoval.status).toBe(200);
    expect(afterRemoval.body.checks.alertChannel).toMatch(
      /^unbound since .*removed from the alert team/,
    );

    for (const activity of installIn(gg, intruders, mallory)) {
      expect((await gg.send(activity)).status).toBe(200);
    }
    gg.sim.directory.removeMember(SEED.groups.mfaRequired, SEED.users.adele, SEED.users.diego);
    await eventually(
      async () => log.lines.some((line) => line.includes('no usable alert channel')),
      'the case card to wait for an alert channel',
      20_000,
    );
    expect(gg.connector.posts()).toEqual([]);
    expect(await gg.app.store.getAlertChannel()).toBeNull();
    expect((await readyz(gg)).body.checks.alertChannel).toMatch(/^unbound since/);

    // What an approver's `alerts here` does in SecOps: the held card follows.
    await gg.app.store.setAlertChannel({
      serviceUrl: gg.connector.serviceUrl,
      tenantId: TEAMS_TENANT_ID,
      teamId: secops.id,
      channelId: secops.id,
    });
    const post = await casePost(gg, 'Adele Vance', 'MFA Required');
    expect(post.channelId).toBe(secops.id);
    expect(gg.connector.posts().every((p) => p.channelId === secops.id)).toBe(true);
    expect((await readyz(gg)).body.checks.alertChannel).toBe('ok');
  });
});

describe('hostile: installing the bot before the pinned team does', () => {
  const pinnedTeam = { id: '19:pinned-secops@thread.tacv2', name: 'SecOps' };
  const pinnedChannel = '19:pinned-alerts@thread.tacv2';
  let gg: GroupGuardUnderTest;

  beforeAll(async () => {
    gg = await startGroupGuard({ ALERT_TEAM_ID: pinnedTeam.id, ALERT_CHANNEL_ID: pinnedChannel });
  });
  afterAll(async () => {
    await gg?.stop();
  });

  it('sends cards only to ALERT_CHANNEL_ID, however early another team installs the bot', async () => {
    for (const activity of installIn(gg, intruders, mallory)) {
      expect((await gg.send(activity)).status).toBe(200);
    }
    expect(await gg.app.store.getAlertChannel()).toBeNull();
    expect((await readyz(gg)).body.checks.alertChannel).toMatch(/^not bound yet.*ALERT_TEAM_ID/);

    // Installed in the pinned team's General channel: the pin still names the channel.
    for (const activity of installIn(gg, pinnedTeam)) {
      expect((await gg.send(activity)).status).toBe(200);
    }
    expect(await gg.app.store.getAlertChannel()).toMatchObject({
      teamId: pinnedTeam.id,
      channelId: pinnedChannel,
    });
    gg.sim.directory.removeMember(SEED.groups.finance, SEED.users.isaiah, SEED.users.diego);
    const post = await casePost(gg, 'Isaiah Langer', 'Finance Team');
    expect(post.channelId).toBe(pinnedChannel);
  });
});
