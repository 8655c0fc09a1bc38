import type { AddressInfo } from 'node:net';
import {
  ClientCertificateCredential,
  ClientSecretCredential,
  ManagedIdentityCredential,
  type TokenCredential,
} from '@azure/identity';
import type { ServiceClientCredentialsFactory } from './teams/create-teams-adapter.js';
import type pino from 'pino';
import type { Config } from './config/config.js';
import { clientCredentialsToken } from './graph/client-credentials-token.js';
import {
  createGraphClient,
  createTrustingDispatcher,
  type GraphEndpoint,
} from './graph/create-graph-client.js';
import { createGraphDemoTenant } from './graph/graph-demo-tenant.js';
import { createGraphDirectory } from './graph/graph-directory.js';
import {
  groupIdOf,
  InvalidNotificationError,
  parseChangeNotifications,
} from './graph/parse-change-notifications.js';
import { createHttpServer } from './http/create-http-server.js';
import { HttpError } from './http/read-json-body.js';
import { createLogger, type Logger } from './observability/logger.js';
import { Metrics } from './observability/metrics.js';
import { seedTenant } from './sim/seed-tenant.js';
import { startGraphSimulator, type GraphSimulator } from './sim/graph-simulator.js';
import { createPgliteDriver } from './store/pglite-driver.js';
import { createSqlStore } from './store/sql-store.js';
import { cardActions } from './teams/card-actions/index.js';
import { commands } from './teams/commands/index.js';
import { createTeamsAdapter, createTeamsMessenger } from './teams/create-teams-adapter.js';
import { GroupGuardBot } from './teams/group-guard-bot.js';
import { acceptNotifications, sameSecret } from './workflows/accept-notifications.js';
import { deliverCards } from './workflows/deliver-cards.js';
import type { DemoTenant } from './workflows/demo-tenant.js';
import { ensureSubscription } from './workflows/ensure-subscription.js';
import type { Clock, Store } from './workflows/ports.js';
import { processInbox } from './workflows/process-inbox.js';
import { syncGroup } from './workflows/sync-group.js';
import { startWorkerLoop, type WorkerLoop } from './workflows/worker-loop.js';

export interface AppOverrides {
  /** Outbound Bot Connector tokens from somewhere other than Entra ID (tests' local issuer). */
  botCredentialsFactory?: ServiceClientCredentialsFactory;
  logDestination?: pino.DestinationStream;
  clock?: Clock;
}

export interface App {
  readonly log: Logger;
  readonly store: Store;
  readonly simulator: GraphSimulator | null;
  /** Listens, reconciles the Graph subscription, takes the baseline, starts the workers. */
  start(): Promise<{ url: string }>;
  stop(): Promise<void>;
}

const systemClock: Clock = { now: () => new Date() };

async function connectGraph(config: Config, log: Logger) {
  if (config.graph.mode === 'live') {
    const g = config.graph;
    const credential: TokenCredential =
      g.credential.kind === 'secret'
        ? new ClientSecretCredential(g.tenantId, g.clientId, g.credential.secret)
        : g.credential.kind === 'certificate'
          ? new ClientCertificateCredential(g.tenantId, g.clientId, g.credential.certificatePath)
          : new ManagedIdentityCredential({ clientId: g.clientId });
    const endpoint: GraphEndpoint = { baseUrl: 'https://graph.microsoft.com' };
    return {
      simulator: null,
      client: createGraphClient(credential, endpoint),
      watched: g.watchedGroupIds,
      demoTenant: null,
    };
  }
  const simulator = await startGraphSimulator({
    port: config.graph.simulatorPort,
    log: (message, fields) => log.debug({ ...fields, component: 'graph-simulator' }, message),
  });
  const dispatcher = createTrustingDispatcher(simulator.ca);
  const endpoint: GraphEndpoint = { baseUrl: simulator.url, ca: simulator.ca };
  const tokenUrl = simulator.tokenUrl;
  const appToken = clientCredentialsToken({ tokenUrl, ...simulator.credentials, dispatcher });
  const admin = seedTenant.users.find((u) => u.isAdmin);
  if (!admin) throw new Error('the seeded tenant has no admin');
  const adminToken = clientCredentialsToken({
    tokenUrl,
    ...simulator.credentials,
    dispatcher,
    user: { username: admin.userPrincipalName, password: simulator.adminPassword },
  });
  const demoTenant: DemoTenant = createGraphDemoTenant(
    createGraphClient(adminToken, endpoint),
    admin.displayName,
  );
  return {
    simulator,
    client: createGraphClient(appToken, endpoint),
    watched: seedTenant.groups.map((g) => g.id),
    demoTenant,
  };
}

/** The composition root: every dependency of GroupGuard is built here and nowhere else. */
export async function createApp(config: Config, overrides: AppOverrides = {}): Promise<App> {
  const log = createLogger(config.logLevel, overrides.logDestination);
  const clock = overrides.clock ?? systemClock;
  const metrics = new Metrics();
  const countNotification = metrics.counter(
    'groupguard_notifications_accepted_total',
    'Graph change notifications persisted',
  );
  const countForged = metrics.counter(
    'groupguard_notifications_forged_total',
    'Notifications refused for a wrong clientState',
  );

  const store = await createSqlStore(
    await createPgliteDriver(config.dataDir === ':memory:' ? null : config.dataDir),
  );
  const graph = await connectGraph(config, log);
  const directory = createGraphDirectory(graph.client);
  const watched = new Set(graph.watched);

  const adapter = createTeamsAdapter(config.teams, log, overrides.botCredentialsFactory);
  const messenger = createTeamsMessenger(adapter, config.teams);
  const syncDeps = { store, directory, log, clock };

  let inbox: WorkerLoop | null = null;
  let outbox: WorkerLoop | null = null;
  const kickCards = () => outbox?.kick();

  const bot = new GroupGuardBot({
    mode: config.mode,
    store,
    log,
    commands,
    cardActions: cardActions({ ...syncDeps, onCaseChanged: kickCards }),
    demoTenant: graph.demoTenant,
  });

  const acceptFromGraph = async (payload: unknown): Promise<number> => {
    let notifications;
    try {
      notifications = parseChangeNotifications(payload);
    } catch (error) {
      if (error instanceof InvalidNotificationError)
        throw new HttpError(400, 'InvalidNotification', error.message);
      throw error;
    }
    const result = await acceptNotifications(
      { store, log, isWatched: (id) => watched.has(id) },
      notifications.map((n) => ({
        subscriptionId: n.subscriptionId,
        clientState: n.clientState ?? null,
        groupId: groupIdOf(n),
      })),
    );
    if (result.kind === 'forged') {
      countForged();
      log.warn({ reason: result.reason }, 'notification refused');
      return 403;
    }
    for (let i = 0; i < result.persisted; i++) countNotification();
    if (result.persisted > 0) inbox?.kick();
    return 202;
  };

  const acceptLifecycle = async (payload: unknown): Promise<number> => {
    let notifications;
    try {
      notifications = parseChangeNotifications(payload);
    } catch (error) {
      if (error instanceof InvalidNotificationError)
        throw new HttpError(400, 'InvalidNotification', error.message);
      throw error;
    }
    const subscription = await store.getSubscription();
    for (const n of notifications) {
      if (!subscription || n.subscriptionId !== subscription.id) continue;
      if (!n.clientState || !sameSecret(n.clientState, subscription.clientState)) return 403;
      log.warn(
        { subscriptionId: n.subscriptionId, lifecycleEvent: n.lifecycleEvent },
        'graph lifecycle event received',
      );
    }
    return 202;
  };

  const server = createHttpServer({
    log,
    metrics,
    processTeamsRequest: (req, res) => adapter.process(req, res, (ctx) => bot.run(ctx)),
    acceptNotifications: acceptFromGraph,
    acceptLifecycleNotifications: acceptLifecycle,
    readiness: async () => {
      const checks: Record<string, string> = {};
      try {
        await store.ping();
        checks.store = 'ok';
      } catch (error) {
        checks.store = `unavailable: ${error instanceof Error ? error.message : 'unknown'}`;
      }
      const subscription = await store.getSubscription().catch(() => null);
      checks.subscription = !subscription
        ? 'missing'
        : Date.parse(subscription.expiresAt) <= clock.now().getTime()
          ? 'expired'
          : 'ok';
      return { ready: Object.values(checks).every((c) => c === 'ok'), checks };
    },
  });

  return {
    log,
    store,
    simulator: graph.simulator,
    async start() {
      await new Promise<void>((resolve) => server.listen(config.port, config.host, resolve));
      const address = server.address() as AddressInfo;
      const url = `http://${config.host}:${address.port}`;
      await ensureSubscription({ store, directory, log, clock }, config.publicUrl ?? url);
      for (const groupId of watched) await syncGroup(syncDeps, groupId, 'sweep');
      inbox = startWorkerLoop(
        'inbox',
        () => processInbox(syncDeps),
        config.workers.pollIntervalMs,
        log,
      );
      outbox = startWorkerLoop(
        'outbox',
        () => deliverCards({ store, messenger, log }),
        config.workers.pollIntervalMs,
        log,
      );
      return { url };
    },
    async stop() {
      await inbox?.stop();
      await outbox?.stop();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await graph.simulator?.stop();
      await store.close();
    },
  };
}
