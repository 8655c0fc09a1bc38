import { SEED } from '../../src/sim/seed-tenant';
import { casePost, caseIdOf } from '../e2e/case-cards';
import {
  APP_ID,
  installInTeam,
  startGroupGuard,
  teamsUser,
  type GroupGuardUnderTest,
} from '../e2e/start-groupguard';
import { cardActionInvoke, channelMessage, postActivity } from '../fakes/teams-activities';

const alex = teamsUser('Alex Wilber', SEED.users.alex);
const OTHER_APP = '0f0f0f0f-1111-4222-8333-444455556666';

const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** Every way a token for /api/messages can be wrong; each must be a 401 before any bot code runs. */
const badTokens: Array<[string, (gg: GroupGuardUnderTest) => string | undefined]> = [
  ['no Authorization header at all', () => undefined],
  [
    'an unsigned token (alg none)',
    (gg) => {
      const now = Math.floor(Date.now() / 1000);
      return `${b64({ alg: 'none', typ: 'JWT' })}.${b64({
        iss: gg.idp.channelIssuer,
        aud: APP_ID,
        serviceurl: gg.connector.serviceUrl,
        nbf: now,
        exp: now + 600,
      })}.`;
    },
  ],
  ['a token that is not a JWT', () => 'not-a-jwt'],
  [
    'a token expired beyond the 300 s clock skew',
    (gg) =>
      gg.idp.signChannelToken({
        audience: APP_ID,
        serviceUrl: gg.connector.serviceUrl,
        expiresInSeconds: -400,
      }),
  ],
  [
    'a token for another bot (wrong audience)',
    (gg) => gg.idp.signChannelToken({ audience: OTHER_APP, serviceUrl: gg.connector.serviceUrl }),
  ],
  [
    'a token from another issuer',
    (gg) =>
      gg.idp.signChannelToken({
        audience: APP_ID,
        serviceUrl: gg.connector.serviceUrl,
        issuer: 'https://evil.example/',
      }),
  ],
  [
    'a token for another serviceurl than the activity names',
    (gg) =>
      gg.idp.signChannelToken({ audience: APP_ID, serviceUrl: 'https://smba.evil.example/amer/' }),
  ],
  [
    'a token signed by a key the issuer does not publish',
    (gg) =>
      gg.idp.signChannelToken({
        audience: APP_ID,
        serviceUrl: gg.connector.serviceUrl,
        signWithForeignKey: true,
      }),
  ],
  [
    "a bad signature under the issuer's real key id",
    (gg) =>
      gg.idp.signChannelToken({
        audience: APP_ID,
        serviceUrl: gg.connector.serviceUrl,
        signWithForeignKey: true,
        kid: gg.idp.kid,
      }),
  ],
  [
    'a token not valid for another 400 s',
    (gg) =>
      gg.idp.signChannelToken({
        audience: APP_ID,
        serviceUrl: gg.connector.serviceUrl,
        notBeforeOffsetSeconds: 400,
      }),
  ],
  [
    'an Entra-looking issuer (taken for the emulator) signed by an unknown key',
    (gg) =>
      gg.idp.signChannelToken({
        audience: APP_ID,
        serviceUrl: gg.connector.serviceUrl,
        issuer: `https://sts.windows.net/${SEED.tenantId}/`,
        signWithForeignKey: true,
      }),
  ],
];

describe('hostile input: bot authentication on /api/messages', () => {
  let gg: GroupGuardUnderTest;
  let consoleError: jest.SpyInstance;

  beforeAll(async () => {
    // botbuilder console.errors every rejected token; the statuses are what this suite checks.
    consoleError = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    gg = await startGroupGuard();
    await installInTeam(gg, alex);
  });
  afterAll(async () => {
    consoleError.mockRestore();
    await gg?.stop();
  });

  it.each(badTokens)('answers 401 to %s and does nothing', async (_what, token) => {
    const repliesBefore = gg.connector.replies().length;
    const response = await postActivity(
      `${gg.url}/api/messages`,
      channelMessage({
        text: 'help',
        from: alex,
        serviceUrl: gg.connector.serviceUrl,
        bot: gg.bot,
      }),
      token(gg),
    );
    expect(response.status).toBe(401);
    await new Promise((r) => setTimeout(r, 50));
    expect(gg.connector.replies()).toHaveLength(repliesBefore);
  });

  it('answers 401 to a Basic credential in place of a bearer token', async () => {
    const response = await fetch(`${gg.url}/api/messages`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Basic ${Buffer.from(`${APP_ID}:${gg.idp.clientSecret}`).toString('base64')}`,
      },
      body: JSON.stringify(
        channelMessage({
          text: 'help',
          from: alex,
          serviceUrl: gg.connector.serviceUrl,
          bot: gg.bot,
        }),
      ),
    });
    expect(response.status).toBe(401);
  });

  it('turns no click with a forged token into a decision', async () => {
    gg.sim.directory.removeMember(SEED.groups.mfaRequired, SEED.users.lee, SEED.users.diego);
    const post = await casePost(gg, 'Lee Gu', 'MFA Required');
    const invoke = cardActionInvoke({
      verb: 'restore',
      data: { caseId: caseIdOf(post), version: 1 },
      from: alex,
      replyToId: post.activityId,
      conversationId: post.conversationId,
      serviceUrl: gg.connector.serviceUrl,
      bot: gg.bot,
    });
    const forged = gg.idp.signChannelToken({
      audience: APP_ID,
      serviceUrl: gg.connector.serviceUrl,
      signWithForeignKey: true,
      kid: gg.idp.kid,
    });
    expect((await postActivity(`${gg.url}/api/messages`, invoke, forged)).status).toBe(401);
    expect(await gg.app.store.getCase(caseIdOf(post))).toMatchObject({
      status: 'open',
      version: 1,
    });
    expect(gg.sim.directory.isMember(SEED.groups.mfaRequired, SEED.users.lee)).toBe(false);
    expect((await gg.send(invoke)).status).toBe(200);
  });
});
