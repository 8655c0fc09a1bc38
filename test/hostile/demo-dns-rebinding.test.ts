import { request } from 'node:http';
import { createApp, type App } from '../../src/app';
import { loadConfig, loadSecrets } from '../../src/config/load-config';
import { SEED } from '../../src/sim/seed-tenant';
import { startFakeBotConnector, type FakeBotConnector } from '../fakes/fake-bot-connector';
import { channelMessage, teamsBot, teamsUser } from '../fakes/teams-activities';

const alex = teamsUser('Alex Wilber', SEED.users.alex);

/** A POST with the Host header a browser sends: the page's own name, rebound to 127.0.0.1. */
function postWithHost(url: string, host: string, body: object) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const target = new URL(url);
    const req = request(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname,
        method: 'POST',
        headers: { host, 'content-type': 'application/json' },
      },
      (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

/**
 * The demo has no bot authentication, so any page the analyst's browser opens could post to
 * it if a DNS name of the attacker's resolved to 127.0.0.1 (DNS rebinding): the browser then
 * sends that name as the Host header.
 */
describe('hostile: a web page reaching the demo bot through DNS rebinding', () => {
  let app: App;
  let url: string;
  let port: string;
  let connector: FakeBotConnector;

  beforeAll(async () => {
    connector = await startFakeBotConnector();
    app = await createApp(
      loadConfig({ PORT: '0', DATA_DIR: ':memory:', LOG_LEVEL: 'silent', PLAYGROUND: 'off' }),
      loadSecrets({}),
    );
    ({ url } = await app.start());
    port = new URL(url).port;
  });
  afterAll(async () => {
    await app?.stop();
    await connector?.stop();
  });

  const simulate = () =>
    channelMessage({
      text: 'simulate remove Adele Vance from Tier 0 Admins',
      from: alex,
      serviceUrl: connector.serviceUrl,
      bot: teamsBot(''),
    });

  it('still listens on 127.0.0.1 only', () => {
    expect(url).toBe(`http://127.0.0.1:${port}`);
  });

  it.each([
    ['the attacker’s name', () => `rebind.attacker.example:${port}`],
    ['the attacker’s name without a port', () => 'rebind.attacker.example'],
    ['127.0.0.1 on another port', () => '127.0.0.1:1'],
    ['a name that only starts like localhost', () => `localhost.attacker.example:${port}`],
  ])('answers a Host of %s with 403 and does nothing', async (_what, host) => {
    const answer = await postWithHost(`${url}/api/messages`, host(), simulate());
    expect(answer.status).toBe(403);
    expect(JSON.parse(answer.body)).toMatchObject({ error: { code: 'HostNotAllowed' } });
    expect(app.simulator?.directory.isMember(SEED.groups.tier0, SEED.users.adele)).toBe(true);
    expect(connector.requests).toEqual([]);
  });

  it('answers the Agents Playground, which calls it at 127.0.0.1 or localhost', async () => {
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`]) {
      const message = channelMessage({
        text: 'help',
        from: alex,
        serviceUrl: connector.serviceUrl,
        bot: teamsBot(''),
      });
      expect((await postWithHost(`${url}/api/messages`, host, message)).status).toBe(200);
    }
    expect(connector.replies()).toHaveLength(2);
  });
});
