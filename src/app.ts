import { readFileSync } from 'node:fs';
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
import { listGroupIds } from './graph/list-group-ids.js';
import {
  groupIdOf,
  InvalidNotificationError,
  parseChangeNotifications,
} from './graph/parse-change-notifications.js';
import { createHttpServer } from './http/create-http-server.js';
import { HttpError } from './http/read-json-body.js';
import { createLogger, type Logger } from './observability/logger.js';
import { Metrics } from './observability/metrics.js';
import { SEED, seedTenant } from './sim/seed-tenant.js';
import {
  simulatorConnection,
  startGraphSimulator,
  type GraphSimulator,
  type SimulatorConnection,
} from './sim/graph-simulator.js';
import { openStore } from './store/open-store.js';
import { cardActions } from './teams/card-actions/index.js';
import { commands } from './teams/commands/index.js';
import { createTeamsAdapter, createTeamsMessenger } from './teams/create-teams-adapter.js';
import { GroupGuardBot } from './teams/group-guard-bot.js';
import { MAX_REFRESH_USERS } from './teams/render-case-card.js';
import { acceptNotifications, sameSecret } from './workflows/accept-notifications.js';
import { createActorResolver } from './workflows/create-actor-resolver.js';
import { createApproverPolicy } from './workflows/create-approver-policy.js';
import type { DecideDeps } from './workflows/decide-case.js';
import { deliverCards } from './workflows/deliver-cards.js';
import { ensureSubscription, renewSubscription } from './workflows/ensure-subscription.js';
import type { Clock, Store } from './workflows/ports.js';
import { processInbox } from './workflows/process-inbox.js';
import { sweepGroups } from './workflows/sweep-groups.js';
import { resumeInterruptedRestores } from './workflows/resume-interrupted-restores.js';
import { retryWithBackoff } from './workflows/retry-with-backoff.js';
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
      tenantId: g.tenantId,
      demoTenant: null,
    };
  }
  const simulator = config.graph.connectionFile
    ? null
    : await startGraphSimulator({
        port: config.graph.simulatorPort,
        log: (message, fields) => log.debug({ ...fields, component: 'graph-simulator' }, message),
      });
  const connection: SimulatorConnection = simulator
    ? simulatorConnection(simulator)
    : (JSON.parse(readFileSync(config.graph.connectionFile ?? '', 'utf8')) as SimulatorConnection);
  const dispatcher = createTrustingDispatcher(connection.ca);
  const endpoint: GraphEndpoint = { baseUrl: connection.url, ca: connection.ca };
  const credentials = {
    tokenUrl: connection.tokenUrl,
    clientId: connection.clientId,
    clientSecret: connection.clientSecret,
    dispatcher,
  };
  const admin = seedTenant.users.find((u) => u.isAdmin);
  if (!admin) throw new Error('the seeded tenant has no admin');
  const adminToken = clientCredentialsToken({
    ...credentials,
    user: { username: admin.userPrincipalName, password: connection.adminPassword },
  });
  const client = createGraphClient(clientCredentialsToken(credentials), endpoint);
  return {
    simulator,
    client,
    tenantId: seedTenant.tenantId,
    watched: await retryWithBackoff(
      'listing the simulated groups',
      () => listGroupIds(client),
      log,
    ),
    demoTenant: createGraphDemoTenant(createGraphClient(adminToken, endpoint), admin.displayName),
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

  const store = await openStore(config);
  const graph = await connectGraph(config, log);
  const directory = createGraphDirectory(graph.client);
  const watched = new Set(graph.watched);

  const syncDeps = { store, directory, log, clock };

  const loops: WorkerLoop[] = [];
  let inbox: WorkerLoop | undefined;
  let outbox: WorkerLoop | undefined;
  const kickCards = () => outbox?.kick();

  const approvers = createApproverPolicy(syncDeps, {
    groupId:
      config.decisions.approverGroupId ??
      (config.graph.mode === 'live' ? null : SEED.groups.secOpsApprovers),
  });
  if (approvers.disabledReason) {
    log.warn({ reason: approvers.disabledReason }, 'decisions are disabled: cards say why');
  }
  const tier0GroupIds = new Set(config.decisions.tier0GroupIds);
  const decideDeps: DecideDeps = {
    ...syncDeps,
    approvers,
    tier0GroupIds,
    resolveActor: createActorResolver({ ...syncDeps, onCaseChanged: kickCards }),
    onCaseChanged: kickCards,
  };
  const cardContext = async () => ({
    approverGroupName: await approvers.groupName(),
    disabledReason: approvers.disabledReason,
    tier0GroupIds,
    audience: await store.listCardAudience(MAX_REFRESH_USERS),
  });

  const adapter = createTeamsAdapter(config.teams, log, overrides.botCredentialsFactory);
  const messenger = createTeamsMessenger(adapter, config.teams, cardContext);
  const bot = new GroupGuardBot({
    mode: config.mode,
    store,
    log,
    commands,
    cardActions: cardActions(decideDeps),
    demoTenant: graph.demoTenant,
    cardContext,
    tenantId: config.graph.mode === 'live' ? config.graph.tenantId : null,
  });

  const parseOrReject = (payload: unknown) => {
    try {
      return parseChangeNotifications(payload);
    } catch (error) {
      if (error instanceof InvalidNotificationError) {
        throw new HttpError(400, 'InvalidNotification', error.message);
      }
      throw error;
    }
  };

  const reportedUnknown = new Set<string>();
  const acceptFromGraph = async (payload: unknown): Promise<number> => {
    const notifications = parseOrReject(payload);
    const result = await acceptNotifications(
      { store, log, tenantId: graph.tenantId, isWatched: (id) => watched.has(id), reportedUnknown },
      notifications.map((n) => ({
        subscriptionId: n.subscriptionId,
        clientState: n.clientState ?? null,
        tenantId: n.tenantId ?? null,
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

  const subscriptionDeps = { store, directory, log, clock };
  let publicUrl = config.publicUrl ?? '';
  const sweep = async (reason: 'periodic' | 'event' = 'event') => {
    const { swept, opened } = await sweepGroups(syncDeps, watched, reason);
    if (opened > 0) kickCards();
    await store.withLock('resume-restores', false, () =>
      resumeInterruptedRestores({ ...syncDeps, onCaseChanged: kickCards }),
    );
    return swept ? 1 : 0;
  };
  // Lifecycle work runs after the 202 (Graph wants the answer within 3 s), in one worker: a
  // burst of events becomes one renewal and one sweep.
  const pendingLifecycle = new Set<string>();
  let lifecycle: WorkerLoop | undefined;
  const handleLifecycleEvents = async () => {
    const events = [...pendingLifecycle];
    pendingLifecycle.clear();
    if (events.length === 0) return 0;
    try {
      if (events.some((e) => e === 'reauthorizationRequired' || e === 'subscriptionRemoved')) {
        await renewSubscription(subscriptionDeps, publicUrl, config.subscription, { force: true });
      }
      await sweep();
    } catch (error) {
      log.error(
        { err: error, lifecycleEvents: events },
        'lifecycle event handling failed, renewal timer retries',
      );
    }
    return 0;
  };

  const acceptLifecycle = async (payload: unknown): Promise<number> => {
    const notifications = parseOrReject(payload);
    const subscription = await store.getSubscription();
    const events: string[] = [];
    for (const n of notifications) {
      if (!subscription || n.subscriptionId !== subscription.id) continue;
      if (!n.clientState || !sameSecret(n.clientState, subscription.clientState)) {
        countForged();
        return 403;
      }
      log.warn(
        { subscriptionId: n.subscriptionId, lifecycleEvent: n.lifecycleEvent },
        'graph lifecycle event received',
      );
      if (n.lifecycleEvent) events.push(n.lifecycleEvent);
    }
    for (const event of events) pendingLifecycle.add(event);
    if (events.length > 0) lifecycle?.kick();
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
        log.warn({ err: error }, 'readiness: store unavailable');
        checks.store = 'unavailable';
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
      publicUrl = config.publicUrl ?? url;
      const outcome = await retryWithBackoff(
        'graph subscription reconciliation',
        () => ensureSubscription(subscriptionDeps, publicUrl, config.subscription),
        log,
      );
      log.info({ outcome }, 'graph subscription reconciled');
      // The first sweep is the baseline, or catches up on what happened while we were down.
      await sweep();
      const poll = config.workers.pollIntervalMs;
      loops.push(
        startWorkerLoop('inbox', () => processInbox(syncDeps), poll, log),
        startWorkerLoop('outbox', () => deliverCards({ store, messenger, log }), poll, log),
        startWorkerLoop(
          'sweep',
          async () => (await sweep('periodic'), 0),
          config.workers.sweepIntervalMs,
          log,
          { immediate: false },
        ),
        startWorkerLoop(
          'subscription',
          async () => {
            const renewal = await renewSubscription(
              subscriptionDeps,
              publicUrl,
              config.subscription,
              { force: false },
            );
            if (renewal === 'created') await sweep();
            return 0;
          },
          config.subscription.checkIntervalMs,
          log,
          { immediate: false },
        ),
      );
      lifecycle = startWorkerLoop('lifecycle', handleLifecycleEvents, 60_000, log, {
        immediate: false,
      });
      loops.push(lifecycle);
      [inbox, outbox] = loops;
      return { url };
    },
    async stop() {
      // Stop taking work first: no new requests, then let the loops finish what is in flight.
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.server.closeIdleConnections();
      await Promise.all(loops.map((loop) => loop.stop()));
      await closed;
      await graph.simulator?.stop();
      await store.close();
    },
  };
}
