import { Writable } from 'node:stream';
import { format } from 'node:util';
import { SEED } from '../../src/sim/seed-tenant';
import { caseIdOf, casePost, clickCurrent, waitForCardText } from '../e2e/case-cards';
import {
  APP_ID,
  eventually,
  installInTeam,
  startGroupGuard,
  teamsUser,
  type GroupGuardUnderTest,
} from '../e2e/start-groupguard';
import { channelMessage, postActivity } from '../fakes/teams-activities';

const u = SEED.users;
const g = SEED.groups;
const alex = teamsUser('Alex Wilber', u.alex);
const megan = teamsUser('Megan Bowen', u.megan);
const isaiah = teamsUser('Isaiah Langer', u.isaiah);

const JWT = /eyJ[\w-]{4,}\.eyJ[\w-]{4,}\.[\w-]*/;
const BEARER = /bearer\s+[\w.~+/-]{8,}/i;
const UNREDACTED_TOKEN =
  /"(access_token|client_secret|password|clientState|authorization)":"(?!\[redacted\])/i;

/**
 * Runs every path GroupGuard has, at trace level, and proves no secret reaches the logs: not
 * in pino's output and not in what botbuilder prints to the console.
 */
const METRICS_TOKEN = 'metrics-token-never-logged-7c1e';

describe('hostile input: secrets never reach the logs', () => {
  const lines: string[] = [];
  const consoleLines: string[] = [];
  const signedTokens: string[] = [];
  let gg: GroupGuardUnderTest;

  beforeAll(async () => {
    for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
      jest.spyOn(console, method).mockImplementation((...args: unknown[]) => {
        consoleLines.push(format(...args));
      });
    }
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
        done();
      },
    });
    gg = await startGroupGuard(
      { LOG_LEVEL: 'trace', METRICS_TOKEN },
      { logDestination: destination },
    );
  });
  afterAll(async () => {
    await gg?.stop();
    jest.restoreAllMocks();
  });

  it('keeps every secret, token and clientState out of a whole run logged at trace', async () => {
    await installInTeam(gg, alex);
    const sign = (options: Parameters<typeof gg.idp.signChannelToken>[0]) => {
      const token = gg.idp.signChannelToken(options);
      signedTokens.push(token);
      return token;
    };
    const message = (text: string, from = alex) =>
      channelMessage({ text, from, serviceUrl: gg.connector.serviceUrl, bot: gg.bot });
    const asChannel = { audience: APP_ID, serviceUrl: gg.connector.serviceUrl };

    // Commands, a one-click restore, a refusal and a four-eyes restore with reasons.
    for (const text of ['help', 'simulate', 'simulate remove Lee Gu from Finance Team'])
      await postActivity(`${gg.url}/api/messages`, message(text), sign(asChannel));
    gg.sim.directory.removeMember(g.mfaRequired, u.adele, u.diego);
    const mfa = await casePost(gg, 'Adele Vance', 'MFA Required');
    await clickCurrent(gg, mfa, isaiah, 'restore');
    await clickCurrent(gg, mfa, alex, 'restore', { reason: 'needs MFA back' });
    gg.sim.directory.removeMember(g.tier0, u.adele, u.diego);
    const tier0 = await casePost(gg, 'Adele Vance', 'Tier 0 Admins');
    await clickCurrent(gg, tier0, alex, 'restore', { reason: 'on call' });
    await clickCurrent(gg, tier0, megan, 'confirm-restore', { reason: 'agreed' });
    await waitForCardText(gg, tier0, 'Restored by Megan Bowen');

    // The webhook: handshake, genuine, forged and unknown notifications, a lifecycle event.
    const subscription = await gg.app.store.getSubscription();
    const notify = (clientState: string, subscriptionId = subscription?.id) =>
      fetch(`${gg.url}/api/graph/notifications`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          value: [
            {
              subscriptionId,
              clientState,
              changeType: 'updated',
              resource: `Groups/${g.finance}`,
              tenantId: SEED.tenantId,
              resourceData: { id: g.finance },
            },
          ],
        }),
      });
    await fetch(`${gg.url}/api/graph/notifications?validationToken=handshake-token`, {
      method: 'POST',
    });
    expect((await notify(subscription?.clientState ?? '')).status).toBe(202);
    expect((await notify(`${subscription?.clientState}x`)).status).toBe(202);
    expect((await notify(subscription?.clientState ?? '', 'unknown-subscription')).status).toBe(
      202,
    );
    await gg.sim.sendLifecycleEvent(subscription?.id ?? '', 'reauthorizationRequired');
    for (const authorization of [`Bearer ${METRICS_TOKEN}`, `Bearer ${METRICS_TOKEN}x`]) {
      await fetch(`${gg.url}/metrics`, { headers: { authorization } });
    }

    // Requests with bad tokens, which botbuilder reports on the console.
    for (const token of [
      sign({ ...asChannel, expiresInSeconds: -400 }),
      sign({ ...asChannel, signWithForeignKey: true, kid: gg.idp.kid }),
      sign({ ...asChannel, audience: 'someone-else' }),
    ]) {
      expect((await postActivity(`${gg.url}/api/messages`, message('help'), token)).status).toBe(
        401,
      );
    }
    await eventually(
      async () => (await gg.app.store.getCase(caseIdOf(tier0)))?.status === 'restored',
      'the last decision',
    );
    await new Promise((r) => setTimeout(r, 300));

    const logged = lines.join('\n');
    const everything = `${logged}\n${consoleLines.join('\n')}`;
    // The run really logged, down to the simulator's debug lines, and botbuilder printed too.
    expect(lines.length).toBeGreaterThan(20);
    expect(logged).toContain('"level":20');
    expect(consoleLines.join('\n')).toContain('AuthenticationError');
    expect(logged).toContain('member restored');
    expect(logged).toContain('decision refused');
    expect(logged).toContain('notification refused');

    const secrets: Array<[string, string]> = [
      ['the bot password', gg.idp.clientSecret],
      ['METRICS_TOKEN', METRICS_TOKEN],
      ['the simulator client secret', gg.sim.credentials.clientSecret],
      ['the simulator admin password', gg.sim.adminPassword],
      ...gg.sim.directory
        .subscriptions()
        .map((s): [string, string] => [`clientState of ${s.id}`, s.clientState ?? '']),
      ['the stored clientState', (await gg.app.store.getSubscription())?.clientState ?? ''],
      ...signedTokens.map((t, i): [string, string] => [`channel token ${i}`, t]),
    ];
    expect(secrets.length).toBeGreaterThan(8);
    for (const [what, secret] of secrets) {
      expect(secret.length).toBeGreaterThan(16);
      if (everything.includes(secret)) throw new Error(`${what} reached the logs`);
      // A part of a token is as bad as all of it.
      if (everything.includes(secret.slice(-24)))
        throw new Error(`part of ${what} reached the logs`);
    }
    expect(everything).not.toMatch(JWT);
    expect(everything).not.toMatch(BEARER);
    expect(everything).not.toMatch(UNREDACTED_TOKEN);
  }, 60_000);
});
