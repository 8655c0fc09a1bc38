/**
 * Bot Framework settings, under botbuilder's own names, for ConfigurationBotFrameworkAuthentication;
 * the password and private key are in Secrets.
 */
export type BotAuthSettings = Record<string, string>;

export interface TeamsConfig {
  /** False only in demo (Agents Playground sends no tokens); never switched off implicitly. */
  authEnabled: boolean;
  appId: string;
  settings: BotAuthSettings;
  /** With authentication on, activities from any other tenant's Teams are ignored. */
  tenantId: string | null;
  /** `iss` of Bot Framework channel tokens; tokens from any other issuer are refused. */
  channelIssuer: string;
  /** Origins of the Teams connector: a serviceUrl elsewhere is refused, never stored or called. */
  serviceUrlOrigins: string[];
}

export type GraphConfig =
  | {
      mode: 'simulator';
      simulatorPort: number;
      /** A simulator another process runs (chaos runs): its connection file, else one in-process. */
      connectionFile: string | null;
    }
  | {
      mode: 'live';
      tenantId: string;
      clientId: string;
      /** The secret itself is in Secrets. */
      credential:
        | { kind: 'secret' }
        | { kind: 'certificate'; certificatePath: string }
        | { kind: 'managed-identity' };
      watchedGroupIds: string[];
    };

export interface Config {
  mode: 'demo' | 'live' | 'simulated-tenant';
  host: string;
  port: number;
  /** Base URL Graph posts to; null means this process's own listen address (simulator only). */
  publicUrl: string | null;
  /** `:memory:` keeps the embedded store in memory. */
  dataDir: string;
  databaseUrl: string | null;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  teams: TeamsConfig;
  graph: GraphConfig;
  decisions: {
    /** Null: the simulator's seeded approver group, or, live, nobody may decide. */
    approverGroupId: string | null;
    /** Lowercase; restores into these need two approvers, like role-assignable groups. */
    tier0GroupIds: string[];
    /** A card click is answered within this even when Graph is slow; the decision carries on. */
    clickAnswerBudgetMs: number;
    /** A privileged restore request can be confirmed this long after it was made. */
    restoreRequestTtlMs: number;
    /** Deciding a case whose removal is older than this takes a reason typed with the click. */
    staleCaseAgeMs: number;
  };
  /** PEM files for `audit:export` (Ed25519 private key) and `audit:verify` (public key). */
  audit: { signingKeyFile: string | null; verifyKeyFile: string | null };
  workers: { pollIntervalMs: number; sweepIntervalMs: number };
  subscription: { lifetimeMinutes: number; renewBeforeMinutes: number; checkIntervalMs: number };
  /** METRICS_PORT / METRICS_HOST: /metrics and /readyz on their own listener; null: on `port`. */
  operations: { port: number; host: string } | null;
  /** ALERT_TEAM_ID and ALERT_CHANNEL_ID: cards go to this channel only; null: the first team to install. */
  alertChannelPin: { teamId: string; channelId: string } | null;
  /** Demo only: where the Agents Playground listens; null turns it off. */
  playgroundPort: number | null;
}

/** What must never be logged or shown, kept apart from Config so Config can be. */
export interface Secrets {
  /** botbuilder's `MicrosoftAppPassword` and `CertificatePrivateKey`, when given. */
  bot: BotAuthSettings;
  graph: { clientSecret: string | null };
  /** METRICS_TOKEN: the bearer token /metrics and /readyz want, when set. */
  metricsToken: string | null;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(readonly problems: string[]) {
    super(
      `GroupGuard cannot start, fix these settings:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
  }
}

/** Files GroupGuard keeps in DATA_DIR beside the embedded store's own. */
export const DATA_DIR_FILES = {
  /** The demo's simulated tenant between runs. */
  simulatedTenant: 'simulated-tenant.json',
  playgroundLog: 'playground.log',
} as const;

/**
 * DATA_DIR (or the database at DATABASE_URL) cannot be used as it is: damaged, not GroupGuard's,
 * or another tenant's. The message names the place and what to do; nothing in it was deleted.
 */
export class DataDirError extends Error {
  override name = 'DataDirError';
}
