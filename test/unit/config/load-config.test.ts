import { ConfigError } from '../../../src/config/config';
import { loadConfig } from '../../../src/config/load-config';

const problemsOf = (env: Record<string, string>): string[] => {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
};

const live = {
  AZURE_TENANT_ID: '4a6f6e61-0000-4000-8000-00000000a001',
  AZURE_CLIENT_ID: 'client',
  AZURE_CLIENT_SECRET: 'secret',
  MicrosoftAppId: 'bot-app',
  MicrosoftAppPassword: 'bot-secret',
  PUBLIC_URL: 'https://groupguard.example.com',
  WATCHED_GROUP_IDS: '00000000-0000-4000-9000-000000000002',
};

describe('loadConfig', () => {
  it('starts the demo with nothing configured: simulated tenant, bot auth off, loopback only', () => {
    const config = loadConfig({});
    expect(config.mode).toBe('demo');
    expect(config.graph.mode).toBe('simulator');
    expect(config.teams.authEnabled).toBe(false);
    expect(config.host).toBe('127.0.0.1');
    expect(config.port).toBe(3978);
    expect(config.playgroundPort).toBe(56150);
  });

  it('runs the simulated tenant with bot authentication on when a bot app id is set', () => {
    const config = loadConfig({ MicrosoftAppId: 'bot-app', MicrosoftAppPassword: 'pw' });
    expect(config.mode).toBe('simulated-tenant');
    expect(config.teams.authEnabled).toBe(true);
    expect(config.teams.settings.MicrosoftAppId).toBe('bot-app');
    expect(config.playgroundPort).toBeNull();
  });

  it('accepts a complete live configuration', () => {
    const config = loadConfig(live);
    expect(config.mode).toBe('live');
    expect(config.graph).toMatchObject({ mode: 'live', credential: { kind: 'secret' } });
    expect(config.publicUrl).toBe('https://groupguard.example.com');
  });

  it('refuses live Graph without a bot app id instead of turning auth off', () => {
    const { MicrosoftAppId: _id, MicrosoftAppPassword: _pw, ...noBot } = live;
    expect(problemsOf(noBot).join('\n')).toMatch(/MicrosoftAppId: required in live mode/);
  });

  it('names every missing setting of a partial live configuration', () => {
    const problems = problemsOf({ AZURE_CLIENT_SECRET: 'x' }).join('\n');
    expect(problems).toMatch(/AZURE_TENANT_ID/);
    expect(problems).toMatch(/AZURE_CLIENT_ID/);
    expect(problems).toMatch(/WATCHED_GROUP_IDS/);
    expect(problems).toMatch(/MicrosoftAppId/);
    expect(problems).toMatch(/PUBLIC_URL/);
  });

  it('keeps watched group ids in the lower case Graph uses, once each', () => {
    const config = loadConfig({
      ...live,
      WATCHED_GROUP_IDS:
        '0A6F6E61-0000-4000-9000-00000000ABCD, 0a6f6e61-0000-4000-9000-00000000abcd',
    });
    expect(config.graph).toMatchObject({
      watchedGroupIds: ['0a6f6e61-0000-4000-9000-00000000abcd'],
    });
  });

  it('refuses live-only settings without a live tenant instead of ignoring them', () => {
    expect(problemsOf({ WATCHED_GROUP_IDS: live.WATCHED_GROUP_IDS }).join()).toMatch(
      /^WATCHED_GROUP_IDS: applies to a live tenant/,
    );
  });

  it('hears only Teams in our tenant through the public Teams connector unless told otherwise', () => {
    const config = loadConfig(live);
    expect(config.teams.tenantId).toBe(live.AZURE_TENANT_ID);
    expect(config.teams.channelIssuer).toBe('https://api.botframework.com');
    expect(config.teams.serviceUrlOrigins).toEqual(['https://smba.trafficmanager.net']);
    const gccHigh = loadConfig({
      ...live,
      TEAMS_SERVICE_URL_ORIGINS: 'https://smba.infra.gov.teams.microsoft.us, http://127.0.0.1:3979',
    });
    expect(gccHigh.teams.serviceUrlOrigins).toEqual([
      'https://smba.infra.gov.teams.microsoft.us',
      'http://127.0.0.1:3979',
    ]);
  });

  it.each([
    ['http://smba.trafficmanager.net', 'must be https'],
    ['https://smba.trafficmanager.net/amer/', 'an origin has no path'],
    ['smba.trafficmanager.net', 'not a URL'],
    [' , ', 'name at least one'],
  ])('refuses TEAMS_SERVICE_URL_ORIGINS=%s', (value, problem) => {
    expect(problemsOf({ ...live, TEAMS_SERVICE_URL_ORIGINS: value })).toEqual([
      expect.stringContaining(problem),
    ]);
  });

  it('pins the alert channel only with a Teams team id and channel id together', () => {
    const pin = {
      ALERT_TEAM_ID: '19:abc-DEF_123@thread.tacv2',
      ALERT_CHANNEL_ID: '19:alerts@thread.skype',
    };
    expect(loadConfig({ ...live, ...pin }).alertChannelPin).toEqual({
      teamId: pin.ALERT_TEAM_ID,
      channelId: pin.ALERT_CHANNEL_ID,
    });
    expect(loadConfig(live).alertChannelPin).toBeNull();
    expect(problemsOf({ ...live, ALERT_TEAM_ID: pin.ALERT_TEAM_ID })).toEqual([
      expect.stringMatching(/^ALERT_CHANNEL_ID: .*needs ALERT_TEAM_ID and ALERT_CHANNEL_ID/),
    ]);
    expect(problemsOf({ ...live, ...pin, ALERT_CHANNEL_ID: 'General' })).toEqual([
      expect.stringMatching(/^ALERT_CHANNEL_ID: must be a Teams id/),
    ]);
  });

  it('refuses an http public URL in live mode', () => {
    expect(problemsOf({ ...live, PUBLIC_URL: 'http://groupguard.example.com' }).join()).toMatch(
      /PUBLIC_URL: must be https/,
    );
  });

  it('refuses bot credentials without an app id', () => {
    expect(problemsOf({ MicrosoftAppPassword: 'pw' }).join()).toMatch(
      /MicrosoftAppId: required because MicrosoftAppPassword/,
    );
  });

  it('refuses to bind the unauthenticated demo beyond loopback', () => {
    expect(problemsOf({ HOST: '0.0.0.0' }).join()).toMatch(/HOST/);
  });

  it('insists on all custom bot endpoints or none', () => {
    expect(
      problemsOf({
        MicrosoftAppId: 'a',
        MicrosoftAppPassword: 'p',
        ToBotFromChannelTokenIssuer: 'x',
      }).join(),
    ).toMatch(/ToChannelFromBotLoginUrl/);
  });

  it('names a malformed value', () => {
    expect(problemsOf({ PORT: 'eighty' }).join()).toMatch(/^PORT/);
    expect(problemsOf({ DATABASE_URL: 'mysql://x' }).join()).toMatch(/^DATABASE_URL/);
    expect(problemsOf({ ...live, WATCHED_GROUP_IDS: 'not-a-guid' }).join()).toMatch(
      /WATCHED_GROUP_IDS: not GUIDs/,
    );
  });

  it('never puts a secret into an error message', () => {
    const problems = problemsOf({
      ...live,
      PUBLIC_URL: 'http://x',
      AZURE_CLIENT_SECRET: 's3cr3t-value',
    }).join();
    expect(problems).not.toContain('s3cr3t-value');
  });

  it('takes the approver group and tier 0 groups as GUIDs, and leaves approvers unset by default', () => {
    expect(loadConfig(live).decisions).toEqual({
      approverGroupId: null,
      tier0GroupIds: [],
      clickAnswerBudgetMs: 2000,
      restoreRequestTtlMs: 24 * 3_600_000,
      staleCaseAgeMs: 7 * 86_400_000,
    });
    const config = loadConfig({
      ...live,
      APPROVER_GROUP_ID: '00000000-0000-4000-9000-00000000000A',
      TIER0_GROUP_IDS:
        ' 00000000-0000-4000-9000-000000000002 ,00000000-0000-4000-9000-00000000000B',
    });
    expect(config.decisions).toEqual({
      approverGroupId: '00000000-0000-4000-9000-00000000000a',
      tier0GroupIds: [
        '00000000-0000-4000-9000-000000000002',
        '00000000-0000-4000-9000-00000000000b',
      ],
      clickAnswerBudgetMs: 2000,
      restoreRequestTtlMs: 24 * 3_600_000,
      staleCaseAgeMs: 7 * 86_400_000,
    });
    expect(problemsOf({ ...live, APPROVER_GROUP_ID: 'SecOps Approvers' }).join()).toMatch(
      /^APPROVER_GROUP_ID: must be a GUID/,
    );
    expect(
      problemsOf({ ...live, TIER0_GROUP_IDS: 'tier0,00000000-0000-4000-9000-000000000002' }).join(),
    ).toMatch(/TIER0_GROUP_IDS: not GUIDs: tier0/);
  });

  it('takes the restore request lifetime and stale case age as minutes, hours or days', () => {
    expect(
      loadConfig({ ...live, RESTORE_REQUEST_TTL: '90m', STALE_CASE_AGE: '30d' }).decisions,
    ).toMatchObject({ restoreRequestTtlMs: 90 * 60_000, staleCaseAgeMs: 30 * 86_400_000 });
    expect(problemsOf({ ...live, RESTORE_REQUEST_TTL: '24' }).join()).toMatch(
      /^RESTORE_REQUEST_TTL: must be minutes, hours or days/,
    );
    expect(problemsOf({ ...live, RESTORE_REQUEST_TTL: '1m' }).join()).toMatch(
      /^RESTORE_REQUEST_TTL: must be at least 5m/,
    );
    expect(problemsOf({ ...live, STALE_CASE_AGE: '400d' }).join()).toMatch(
      /^STALE_CASE_AGE: must be at most 365d/,
    );
  });

  it('answers a card click within CLICK_ANSWER_BUDGET_MS, inside the 5 s Teams allows', () => {
    expect(loadConfig({ CLICK_ANSWER_BUDGET_MS: '1500' }).decisions.clickAnswerBudgetMs).toBe(1500);
    expect(problemsOf({ CLICK_ANSWER_BUDGET_MS: '6000' }).join()).toMatch(
      /^CLICK_ANSWER_BUDGET_MS:/,
    );
    expect(problemsOf({ CLICK_ANSWER_BUDGET_MS: 'soon' }).join()).toMatch(
      /^CLICK_ANSWER_BUDGET_MS:/,
    );
  });
});
