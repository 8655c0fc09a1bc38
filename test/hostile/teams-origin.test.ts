import { Writable } from 'node:stream';
import { SEED } from '../../src/sim/seed-tenant';
import { casePost } from '../e2e/case-cards';
import {
  APP_ID,
  eventually,
  installInTeam,
  startGroupGuard,
  teamsUser,
  type GroupGuardUnderTest,
} from '../e2e/start-groupguard';
import {
  TEAMS_TENANT_ID,
  botInstalledInTeam,
  channelMessage,
  postActivity,
} from '../fakes/teams-activities';

const alex = teamsUser('Alex Wilber', SEED.users.alex);
const ATTACKER = 'https://attacker.example/';
const FOREIGN_TENANT = '11111111-2222-4333-8444-555555555555';

/**
 * Only Teams, only our tenant, only Microsoft's connector. Bot Framework's own channel tokens
 * come from the issuer `https://api.botframework.com` ("Authentication with the Bot Connector
 * API", learn.microsoft.com/azure/bot-service/rest-api/bot-framework-rest-connector-authentication,
 * "Bot Connector to your bot"); here the local identity provider plays that issuer.
 */
describe('hostile Teams origins', () => {
  let gg: GroupGuardUnderTest;
  const logged: string[] = [];

  beforeAll(async () => {
    jest.spyOn(console, 'error').mockImplementation(() => undefined);
    const logDestination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        logged.push(chunk.toString());
        done();
      },
    });
    // Bot Framework's signing keys are endorsed for several channels, not only msteams.
    gg = await startGroupGuard({ LOG_LEVEL: 'warn' }, { logDestination }, undefined, {
      keyEndorsements: ['msteams', 'webchat'],
    });
    await installInTeam(gg, alex);
  });
  afterAll(async () => {
    jest.restoreAllMocks();
    await gg?.stop();
  });

  const message = (text: string, serviceUrl = gg.connector.serviceUrl) =>
    channelMessage({ text, from: alex, serviceUrl, bot: gg.bot });
  const signed = (activity: object, serviceUrl: string, extra: object = {}) =>
    postActivity(
      `${gg.url}/api/messages`,
      activity as never,
      gg.idp.signChannelToken({ audience: APP_ID, serviceUrl, ...extra }),
    );
  const repliesSoFar = () => gg.connector.requests.length;

  it('keeps cards away from a serviceUrl outside the Teams connector hosts (a channel message naming https://attacker.example/)', async () => {
    const before = await gg.app.store.getAlertChannel();
    expect(before?.serviceUrl).toBe(gg.connector.serviceUrl);

    const answer = await signed(message('help', ATTACKER), ATTACKER);

    expect(answer.status).toBe(401);
    expect(await gg.app.store.getAlertChannel()).toEqual(before);
    gg.sim.directory.removeMember(SEED.groups.mfaRequired, SEED.users.adele, SEED.users.diego);
    // The card reaches the genuine connector, which the fake is.
    await casePost(gg, 'Adele Vance', 'MFA Required');
  });

  it.each([
    [
      'a v1 token minted with the bot’s own credentials in another tenant (sts.windows.net)',
      {
        issuer: `https://sts.windows.net/${FOREIGN_TENANT}/`,
        extraClaims: { ver: '1.0', appid: APP_ID, tid: FOREIGN_TENANT },
      },
    ],
    [
      'a v2 token minted with the bot’s own credentials in our tenant (login.microsoftonline.com)',
      {
        issuer: `https://login.microsoftonline.com/${TEAMS_TENANT_ID}/v2.0`,
        extraClaims: { ver: '2.0', azp: APP_ID, tid: TEAMS_TENANT_ID },
      },
    ],
  ])('refuses %s, which botbuilder’s emulator path accepts', async (_name, token) => {
    const calls = repliesSoFar();
    const answer = await signed(message('help'), gg.connector.serviceUrl, token);
    expect(answer.status).toBe(401);
    expect(gg.connector.requests.length).toBe(calls);
  });

  it('refuses such a token even when it names an attacker serviceUrl the emulator path never checks', async () => {
    const before = await gg.app.store.getAlertChannel();
    const answer = await signed(message('help', ATTACKER), gg.connector.serviceUrl, {
      issuer: `https://sts.windows.net/${FOREIGN_TENANT}/`,
      extraClaims: { ver: '1.0', appid: APP_ID, tid: FOREIGN_TENANT },
    });
    expect(answer.status).toBe(401);
    expect(await gg.app.store.getAlertChannel()).toEqual(before);
  });

  it('refuses an activity from another channel than Teams under a genuine token (webchat)', async () => {
    const calls = repliesSoFar();
    const answer = await signed(
      { ...message('help'), channelId: 'webchat' },
      gg.connector.serviceUrl,
    );
    expect(answer.status).toBe(401);
    expect(gg.connector.requests.length).toBe(calls);
  });

  it('ignores a message and an install from another tenant: no reply, no binding', async () => {
    const before = await gg.app.store.getAlertChannel();
    const calls = repliesSoFar();
    const foreign = {
      ...message('help'),
      conversation: { ...message('help').conversation, tenantId: FOREIGN_TENANT },
      channelData: { ...message('help').channelData, tenant: { id: FOREIGN_TENANT } },
    };
    expect((await signed(foreign, gg.connector.serviceUrl)).status).toBe(200);
    const otherTeam = { id: '19:foreign-team@thread.tacv2', name: 'Elsewhere' };
    for (const install of botInstalledInTeam({
      from: alex,
      serviceUrl: gg.connector.serviceUrl,
      bot: gg.bot,
      tenantId: FOREIGN_TENANT,
      team: otherTeam,
    })) {
      expect((await signed(install, gg.connector.serviceUrl)).status).toBe(200);
    }
    expect(gg.connector.requests.length).toBe(calls);
    expect(await gg.app.store.getAlertChannel()).toEqual(before);
  });

  it('answers a genuine Teams message from our tenant, so the refusals above are the rules at work', async () => {
    const calls = repliesSoFar();
    expect((await signed(message('help'), gg.connector.serviceUrl)).status).toBe(200);
    expect(gg.connector.requests.length).toBeGreaterThan(calls);
  });

  it('never calls a serviceUrl outside the Teams connector hosts that reached the database', async () => {
    const channel = await gg.app.store.getAlertChannel();
    if (!channel) throw new Error('expected a bound alert channel');
    await gg.app.store.setAlertChannel({ ...channel, serviceUrl: ATTACKER });
    const calls = gg.connector.requests.length;
    gg.sim.directory.removeMember(SEED.groups.finance, SEED.users.isaiah, SEED.users.diego);
    await eventually(
      async () => logged.some((line) => line.includes('serviceUrl is not a Teams connector')),
      'the outbox to refuse the stored serviceUrl',
    );
    expect(logged.join('')).not.toContain('loopback-guard');
    expect(gg.connector.requests.length).toBe(calls);
  });
});
