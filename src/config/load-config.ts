import { z } from 'zod';
import { isObjectId } from '../core/object-id.js';
import {
  ConfigError,
  type BotAuthSettings,
  type Config,
  type GraphConfig,
  type Secrets,
} from './config.js';

const BOT_ENDPOINT_SETTINGS = [
  'ToChannelFromBotLoginUrl',
  'ToChannelFromBotOAuthScope',
  'ToBotFromChannelTokenIssuer',
  'OAuthUrl',
  'ToBotFromChannelOpenIdMetadataUrl',
  'ToBotFromEmulatorOpenIdMetadataUrl',
  'CallerId',
] as const;
const BOT_SECRET_SETTINGS = ['MicrosoftAppPassword', 'CertificatePrivateKey'] as const;
const BOT_CREDENTIAL_SETTINGS = [
  ...BOT_SECRET_SETTINGS,
  'MicrosoftAppType',
  'MicrosoftAppTenantId',
  'CertificateThumbprint',
] as const;
const LIVE_GRAPH_SETTINGS = [
  'AZURE_TENANT_ID',
  'AZURE_CLIENT_ID',
  'AZURE_CLIENT_SECRET',
  'AZURE_CLIENT_CERTIFICATE_PATH',
] as const;
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '::1']);
/** botbuilder's AuthenticationConstants.ToBotFromChannelTokenIssuer (public cloud). */
const BOT_FRAMEWORK_CHANNEL_ISSUER = 'https://api.botframework.com';

const port = z.coerce.number().int().min(0).max(65535);
const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
/** "90m", "24h", "7d": a whole number of minutes, hours or days, in milliseconds. */
const duration = (min: string, max: string) =>
  z
    .string()
    .regex(
      /^\d{1,6}\s*[mhd]$/,
      `must be minutes, hours or days, e.g. 90m, 24h, 7d (${min} to ${max})`,
    )
    .transform((text) => Number.parseInt(text, 10) * UNIT_MS[text.trim().slice(-1) as 'm'])
    .refine(
      (ms) => ms >= Number.parseInt(min, 10) * UNIT_MS[min.slice(-1) as 'm'],
      `must be at least ${min}`,
    )
    .refine(
      (ms) => ms <= Number.parseInt(max, 10) * UNIT_MS[max.slice(-1) as 'm'],
      `must be at most ${max}`,
    );
// Teams team and channel ids, as in channelData: `19:…@thread.tacv2` (or `@thread.skype`).
const teamsThreadId = z
  .string()
  .regex(/^19:[^\s@;]+@thread\.(tacv2|skype)$/, 'must be a Teams id like 19:…@thread.tacv2');
const schema = z.object({
  PORT: port.default(3978),
  HOST: z.string().min(1).default('127.0.0.1'),
  PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
  DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  GRAPH_SIMULATOR_PORT: port.default(0),
  PLAYGROUND_PORT: port.default(56150),
  PLAYGROUND: z.enum(['on', 'off']).default('on'),
  WATCHED_GROUP_IDS: z.string().optional(),
  APPROVER_GROUP_ID: z
    .string()
    .refine(isObjectId, 'must be a GUID (the object id of an Entra group)')
    .optional(),
  TIER0_GROUP_IDS: z.string().optional(),
  // Teams wants an invoke answered within about 5 s (reference/teams.md §4).
  CLICK_ANSWER_BUDGET_MS: z.coerce.number().int().min(200).max(4_500).default(2_000),
  RESTORE_REQUEST_TTL: duration('5m', '30d').default(24 * 3_600_000),
  STALE_CASE_AGE: duration('1h', '365d').default(7 * 86_400_000),
  AUDIT_SIGNING_KEY_FILE: z.string().min(1).optional(),
  AUDIT_VERIFY_KEY_FILE: z.string().min(1).optional(),
  WORKER_POLL_INTERVAL_MS: z.coerce.number().int().min(10).max(60_000).default(500),
  SWEEP_INTERVAL_MS: z.coerce.number().int().min(100).max(86_400_000).default(300_000),
  SUBSCRIPTION_LIFETIME_MINUTES: z.coerce.number().int().min(5).max(41_760).default(4_320),
  SUBSCRIPTION_RENEW_BEFORE_MINUTES: z.coerce.number().int().min(1).max(41_760).default(1_440),
  SUBSCRIPTION_CHECK_INTERVAL_MS: z.coerce.number().int().min(100).max(3_600_000).default(60_000),
  GRAPH_SIMULATOR_CONNECTION_FILE: z.string().min(1).optional(),
  // The public cloud's Teams connector; docs/configuration.md lists the sovereign ones.
  TEAMS_SERVICE_URL_ORIGINS: z.string().default('https://smba.trafficmanager.net'),
  METRICS_PORT: port.optional(),
  METRICS_HOST: z.string().min(1).optional(),
  // Never echoed: zod's message names the length only.
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  ALERT_TEAM_ID: teamsThreadId.optional(),
  ALERT_CHANNEL_ID: teamsThreadId.optional(),
  MicrosoftAppId: z.string().optional(),
  MicrosoftAppType: z
    .string()
    .regex(
      /^(MultiTenant|SingleTenant|UserAssignedMsi)$/i,
      'MultiTenant, SingleTenant or UserAssignedMsi',
    )
    .optional(),
});

type Env = Record<string, string | undefined>;

const given = (env: Env): Env =>
  Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value.trim() !== ''),
  );

/** The secrets among the settings; loadConfig has already checked which ones must be there. */
export function loadSecrets(env: Env = process.env): Secrets {
  const clean = given(env);
  const bot: BotAuthSettings = {};
  for (const key of BOT_SECRET_SETTINGS) {
    const value = clean[key];
    if (value !== undefined) bot[key] = value;
  }
  return {
    bot,
    graph: { clientSecret: clean.AZURE_CLIENT_SECRET ?? null },
    metricsToken: clean.METRICS_TOKEN ?? null,
  };
}

/** With loadSecrets, the only place that reads the environment. Throws ConfigError naming every bad setting. */
export function loadConfig(env: Env = process.env): Config {
  const clean = given(env);
  const parsed = schema.safeParse(clean);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`),
    );
  }
  const v = parsed.data;
  const problems: string[] = [];

  const graph = readGraphConfig(
    clean,
    v.GRAPH_SIMULATOR_PORT,
    v.GRAPH_SIMULATOR_CONNECTION_FILE ?? null,
    problems,
  );
  const appId = v.MicrosoftAppId ?? '';
  const authEnabled = appId !== '';
  const settings: BotAuthSettings = {};
  const notSecret = BOT_CREDENTIAL_SETTINGS.filter(
    (key) => !(BOT_SECRET_SETTINGS as readonly string[]).includes(key),
  );
  for (const key of [...notSecret, ...BOT_ENDPOINT_SETTINGS, 'ValidateAuthority']) {
    const value = clean[key];
    if (value !== undefined) settings[key] = value;
  }
  if (authEnabled) {
    settings.MicrosoftAppId = appId;
    const givenEndpoints = BOT_ENDPOINT_SETTINGS.filter((key) => clean[key] !== undefined);
    if (givenEndpoints.length > 0 && givenEndpoints.length < BOT_ENDPOINT_SETTINGS.length) {
      const missing = BOT_ENDPOINT_SETTINGS.filter((key) => clean[key] === undefined);
      problems.push(
        `${missing.join(', ')}: botbuilder uses custom endpoints only when all are set (given: ${givenEndpoints.join(', ')})`,
      );
    }
  } else {
    const stray = [...BOT_CREDENTIAL_SETTINGS, ...BOT_ENDPOINT_SETTINGS].filter(
      (key) => clean[key] !== undefined,
    );
    if (stray.length > 0) {
      problems.push(`MicrosoftAppId: required because ${stray.join(', ')} is set`);
    }
    if (graph.mode === 'live') {
      problems.push(
        'MicrosoftAppId: required in live mode (bot authentication is never turned off)',
      );
    }
  }

  if (graph.mode === 'live') {
    if (!v.PUBLIC_URL)
      problems.push('PUBLIC_URL: required in live mode (https URL Graph can reach)');
    else if (!v.PUBLIC_URL.startsWith('https://'))
      problems.push('PUBLIC_URL: must be https in live mode');
  }
  if (!authEnabled && !LOOPBACK_HOSTS.has(v.HOST)) {
    problems.push(
      `HOST: demo mode has bot authentication off, so it binds only to 127.0.0.1 (got ${v.HOST})`,
    );
  }
  const tier0GroupIds = (v.TIER0_GROUP_IDS ?? '')
    .split(',')
    .map((id) => id.trim().toLowerCase())
    .filter(Boolean);
  const badTier0 = tier0GroupIds.filter((id) => !isObjectId(id));
  if (badTier0.length > 0) problems.push(`TIER0_GROUP_IDS: not GUIDs: ${badTier0.join(', ')}`);
  if (v.SUBSCRIPTION_RENEW_BEFORE_MINUTES >= v.SUBSCRIPTION_LIFETIME_MINUTES) {
    problems.push(
      'SUBSCRIPTION_RENEW_BEFORE_MINUTES: must be less than SUBSCRIPTION_LIFETIME_MINUTES',
    );
  }
  if (v.METRICS_HOST !== undefined && v.METRICS_PORT === undefined) {
    problems.push('METRICS_HOST: applies only with METRICS_PORT');
  }
  if ((v.ALERT_TEAM_ID === undefined) !== (v.ALERT_CHANNEL_ID === undefined)) {
    problems.push(
      `${v.ALERT_TEAM_ID ? 'ALERT_CHANNEL_ID' : 'ALERT_TEAM_ID'}: pinning the alert channel needs ALERT_TEAM_ID and ALERT_CHANNEL_ID`,
    );
  }
  const serviceUrlOrigins = readServiceUrlOrigins(v.TEAMS_SERVICE_URL_ORIGINS, problems);
  if (problems.length > 0) throw new ConfigError(problems);

  return {
    mode: graph.mode === 'live' ? 'live' : authEnabled ? 'simulated-tenant' : 'demo',
    host: v.HOST,
    port: v.PORT,
    publicUrl: v.PUBLIC_URL ? v.PUBLIC_URL.replace(/\/+$/, '') : null,
    dataDir: v.DATA_DIR,
    databaseUrl: v.DATABASE_URL ?? null,
    logLevel: v.LOG_LEVEL,
    teams: {
      authEnabled,
      appId,
      settings,
      tenantId:
        graph.mode === 'live'
          ? graph.tenantId.toLowerCase()
          : (clean.MicrosoftAppTenantId?.toLowerCase() ?? null),
      channelIssuer: clean.ToBotFromChannelTokenIssuer ?? BOT_FRAMEWORK_CHANNEL_ISSUER,
      serviceUrlOrigins,
    },
    graph,
    decisions: {
      approverGroupId: v.APPROVER_GROUP_ID?.toLowerCase() ?? null,
      tier0GroupIds,
      clickAnswerBudgetMs: v.CLICK_ANSWER_BUDGET_MS,
      restoreRequestTtlMs: v.RESTORE_REQUEST_TTL,
      staleCaseAgeMs: v.STALE_CASE_AGE,
    },
    audit: {
      signingKeyFile: v.AUDIT_SIGNING_KEY_FILE ?? null,
      verifyKeyFile: v.AUDIT_VERIFY_KEY_FILE ?? null,
    },
    workers: { pollIntervalMs: v.WORKER_POLL_INTERVAL_MS, sweepIntervalMs: v.SWEEP_INTERVAL_MS },
    subscription: {
      lifetimeMinutes: v.SUBSCRIPTION_LIFETIME_MINUTES,
      renewBeforeMinutes: v.SUBSCRIPTION_RENEW_BEFORE_MINUTES,
      checkIntervalMs: v.SUBSCRIPTION_CHECK_INTERVAL_MS,
    },
    operations:
      v.METRICS_PORT === undefined
        ? null
        : { port: v.METRICS_PORT, host: v.METRICS_HOST ?? v.HOST },
    alertChannelPin:
      v.ALERT_TEAM_ID && v.ALERT_CHANNEL_ID
        ? { teamId: v.ALERT_TEAM_ID, channelId: v.ALERT_CHANNEL_ID }
        : null,
    playgroundPort:
      !authEnabled && graph.mode === 'simulator' && v.PLAYGROUND === 'on'
        ? v.PLAYGROUND_PORT
        : null,
  };
}

/** https origins only; plain http only on loopback, where a local connector stands in. */
function readServiceUrlOrigins(raw: string, problems: string[]): string[] {
  const origins: string[] = [];
  for (const entry of raw
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean)) {
    let url: URL;
    try {
      url = new URL(entry);
    } catch {
      problems.push(`TEAMS_SERVICE_URL_ORIGINS: not a URL: ${entry}`);
      continue;
    }
    const loopback = LOOPBACK_HOSTS.has(url.hostname.replace(/^\[|\]$/g, ''));
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
      problems.push(`TEAMS_SERVICE_URL_ORIGINS: must be https (got ${entry})`);
    } else if (url.pathname !== '/' || url.search || url.username) {
      problems.push(`TEAMS_SERVICE_URL_ORIGINS: an origin has no path (got ${entry})`);
    } else origins.push(url.origin);
  }
  if (origins.length === 0 && !problems.some((p) => p.startsWith('TEAMS_SERVICE_URL_ORIGINS')))
    problems.push('TEAMS_SERVICE_URL_ORIGINS: name at least one Teams connector origin');
  return origins;
}

function readGraphConfig(
  env: Env,
  simulatorPort: number,
  connectionFile: string | null,
  problems: string[],
): GraphConfig {
  const given = LIVE_GRAPH_SETTINGS.filter((key) => env[key] !== undefined);
  if (given.length === 0) {
    if (env.WATCHED_GROUP_IDS !== undefined) {
      problems.push(
        'WATCHED_GROUP_IDS: applies to a live tenant only; set AZURE_TENANT_ID and friends',
      );
    }
    return { mode: 'simulator', simulatorPort, connectionFile };
  }

  const tenantId = env.AZURE_TENANT_ID ?? '';
  const clientId = env.AZURE_CLIENT_ID ?? '';
  if (!tenantId) problems.push(`AZURE_TENANT_ID: required because ${given.join(', ')} is set`);
  else if (!isObjectId(tenantId)) problems.push('AZURE_TENANT_ID: must be a GUID');
  if (!clientId) problems.push(`AZURE_CLIENT_ID: required because ${given.join(', ')} is set`);
  if (env.AZURE_CLIENT_SECRET && env.AZURE_CLIENT_CERTIFICATE_PATH) {
    problems.push('AZURE_CLIENT_SECRET, AZURE_CLIENT_CERTIFICATE_PATH: set one, not both');
  }
  // Graph sends object ids in lower case; compare them that way.
  const watchedGroupIds = [
    ...new Set(
      (env.WATCHED_GROUP_IDS ?? '')
        .split(',')
        .map((id) => id.trim().toLowerCase())
        .filter(Boolean),
    ),
  ];
  if (watchedGroupIds.length === 0) {
    problems.push('WATCHED_GROUP_IDS: required in live mode (comma-separated group object ids)');
  }
  const badIds = watchedGroupIds.filter((id) => !isObjectId(id));
  if (badIds.length > 0) problems.push(`WATCHED_GROUP_IDS: not GUIDs: ${badIds.join(', ')}`);
  return {
    mode: 'live',
    tenantId,
    clientId,
    credential: env.AZURE_CLIENT_SECRET
      ? { kind: 'secret' }
      : env.AZURE_CLIENT_CERTIFICATE_PATH
        ? { kind: 'certificate', certificatePath: env.AZURE_CLIENT_CERTIFICATE_PATH }
        : { kind: 'managed-identity' },
    watchedGroupIds,
  };
}
