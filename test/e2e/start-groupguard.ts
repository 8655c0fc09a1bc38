import { createApp, type App, type AppOverrides } from '../../src/app';
import { loadConfig, loadSecrets } from '../../src/config/load-config';
import type { GraphSimulator } from '../../src/sim/graph-simulator';
import { startFakeBotConnector, type FakeBotConnector } from '../fakes/fake-bot-connector';
import { LocalBotCredentialsFactory } from '../fakes/local-bot-credentials-factory';
import {
  startLocalIdentityProvider,
  type LocalIdentityProvider,
} from '../fakes/local-identity-provider';
import {
  TEAMS_TENANT_ID,
  botInstalledInTeam,
  postActivity,
  teamsBot,
  teamsUser,
  type TeamsUser,
} from '../fakes/teams-activities';

export const APP_ID = '6d1c5a3e-2b1f-4c8e-9a7d-1e2f3a4b5c6d';
const APP_PASSWORD = 'test-bot-password';

export interface GroupGuardUnderTest {
  app: App;
  url: string;
  /** Where /metrics and /readyz are served when METRICS_PORT is set. */
  operationsUrl: string | null;
  sim: GraphSimulator;
  idp: LocalIdentityProvider;
  connector: FakeBotConnector;
  bot: ReturnType<typeof teamsBot>;
  /** POSTs an activity to /api/messages signed by the local channel issuer. */
  send(activity: object): Promise<{ status: number; body: unknown }>;
  stop(): Promise<void>;
}

/**
 * GroupGuard with bot authentication ON against the Graph simulator (HTTPS), a fake Bot
 * Connector and a local OpenID issuer, all real HTTP servers on 127.0.0.1.
 */
export async function startGroupGuard(
  env: Record<string, string> = {},
  overrides: AppOverrides = {},
  /** A simulator the test runs itself (with GRAPH_SIMULATOR_CONNECTION_FILE in `env`). */
  externalSimulator?: GraphSimulator,
  harness: { keyEndorsements?: readonly string[] } = {},
): Promise<GroupGuardUnderTest> {
  const idp = await startLocalIdentityProvider({
    clientId: APP_ID,
    clientSecret: APP_PASSWORD,
    endorsements: harness.keyEndorsements,
  });
  const connector = await startFakeBotConnector({
    identityProvider: idp,
    faults: { retryAfterSeconds: 0 },
  });
  const settings = idp.botAuthSettings(APP_ID, APP_PASSWORD);
  const settingsEnv = {
    PORT: '0',
    DATA_DIR: ':memory:',
    LOG_LEVEL: 'silent',
    WORKER_POLL_INTERVAL_MS: '50',
    // The fake connector stands where Teams' connector does; only Teams in this tenant is heard.
    TEAMS_SERVICE_URL_ORIGINS: new URL(connector.serviceUrl).origin,
    MicrosoftAppTenantId: TEAMS_TENANT_ID,
    ...Object.fromEntries(Object.entries(settings).map(([k, v]) => [k, String(v)])),
    ...env,
  };
  const app = await createApp(loadConfig(settingsEnv), loadSecrets(settingsEnv), {
    ...overrides,
    botCredentialsFactory: new LocalBotCredentialsFactory({
      appId: APP_ID,
      appPassword: APP_PASSWORD,
      defaultScope: settings.ToChannelFromBotOAuthScope,
    }),
  });
  const { url, operationsUrl } = await app.start();
  const sim = app.simulator ?? externalSimulator;
  if (!sim) throw new Error('expected the Graph simulator');
  const bot = teamsBot(APP_ID);
  const send = (activity: object) =>
    postActivity(
      `${url}/api/messages`,
      activity as never,
      idp.signChannelToken({ audience: APP_ID, serviceUrl: connector.serviceUrl }),
    );
  return {
    app,
    url,
    operationsUrl,
    sim,
    idp,
    connector,
    bot,
    send,
    stop: async () => {
      await app.stop();
      await connector.stop();
      await idp.stop();
    },
  };
}

export async function installInTeam(gg: GroupGuardUnderTest, by: TeamsUser): Promise<void> {
  for (const activity of botInstalledInTeam({
    from: by,
    serviceUrl: gg.connector.serviceUrl,
    bot: gg.bot,
  })) {
    const response = await gg.send(activity);
    if (response.status !== 200) throw new Error(`install activity answered ${response.status}`);
  }
}

export { teamsUser };

export async function eventually<T>(
  probe: () => Promise<T | undefined | null | false>,
  what: string,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** A counter from GroupGuard's own /metrics, as Prometheus would read it. */
export async function metricValue(gg: GroupGuardUnderTest, name: string): Promise<number> {
  const text = await (await fetch(`${gg.url}/metrics`)).text();
  return Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(text)?.[1] ?? NaN);
}
