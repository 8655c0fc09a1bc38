import type { AddressInfo } from 'node:net';
import type pino from 'pino';
import type { Config, Secrets } from './config/config.js';
import { connectGraph, graphTenant, type GraphConnection } from './graph/connect-graph.js';
import { createHttpServer } from './http/create-http-server.js';
import { createLogger, type Logger } from './observability/logger.js';
import { Metrics } from './observability/metrics.js';
import type { GraphSimulator } from './sim/graph-simulator.js';
import { SEED } from './sim/seed-tenant.js';
import { openStore } from './store/open-store.js';
import { cardActions } from './teams/card-actions/index.js';
import { commands } from './teams/commands/index.js';
import {
  createTeamsAdapter,
  createTeamsMessenger,
  type ServiceClientCredentialsFactory,
} from './teams/create-teams-adapter.js';
import { GroupGuardBot } from './teams/group-guard-bot.js';
import { MAX_REFRESH_USERS } from './teams/render-case-card.js';
import { acceptNotifications } from './workflows/accept-notifications.js';
import { createBackgroundTasks } from './workflows/background-tasks.js';
import { checkReadiness } from './workflows/check-readiness.js';
import { createActorResolver } from './workflows/create-actor-resolver.js';
import { createAlertChannelBinding } from './workflows/create-alert-channel-binding.js';
import { createApproverPolicy } from './workflows/create-approver-policy.js';
import { createPrivilegePolicy } from './workflows/create-privilege-policy.js';
import { createMisplacedInvokeLog } from './workflows/create-misplaced-invoke-log.js';
import { deliverCards } from './workflows/deliver-cards.js';
import { ensureSubscription, renewSubscription } from './workflows/ensure-subscription.js';
import { createGroupBackoff } from './workflows/group-backoff.js';
import { createLifecycleEvents } from './workflows/handle-lifecycle-events.js';
import {
  ACTOR_UNAVAILABLE,
  AUDIT_PERMISSION,
  createPermissionNotes,
} from './workflows/permission-notes.js';
import type { Clock, Store } from './workflows/ports/index.js';
import { processInbox } from './workflows/process-inbox.js';
import { retryWithBackoff } from './workflows/retry-with-backoff.js';
import { sweepGroups } from './workflows/sweep-groups.js';
import { startWorkerLoop, type WorkerLoop } from './workflows/worker-loop.js';

/** How long stop waits for decisions still talking to Graph. */
const STOP_WAIT_MS = 10_000;

export interface AppOverrides {
  /** Outbound Bot Connector tokens from somewhere other than Entra ID (tests' local issuer). */
  botCredentialsFactory?: ServiceClientCredentialsFactory;
  logDestination?: pino.DestinationStream;
  clock?: Clock;
}

/** Everything GroupGuard's parts share, built once; the rest of the app is wiring over it. */
export interface AppContext {
  config: Config;
  secrets: Secrets;
  log: Logger;
  clock: Clock;
  metrics: Metrics;
  store: Store;
  graph: GraphConnection;
}

export interface App {
  readonly log: Logger;
  readonly store: Store;
  readonly simulator: GraphSimulator | null;
  /** Listens, reconciles the Graph subscription, takes the baseline, starts the workers. */
  start(): Promise<{ url: string; operationsUrl: string | null }>;
  stop(): Promise<void>;
}

export async function createAppContext(
  config: Config,
  secrets: Secrets,
  overrides: AppOverrides = {},
): Promise<AppContext> {
  const log = createLogger(config.logLevel, overrides.logDestination);
  const store = await openStore(config, graphTenant(config));
  let graph: GraphConnection;
  try {
    graph = await connectGraph(config, secrets, log);
  } catch (error) {
    await store.close();
    throw error;
  }
  return {
    config,
    secrets,
    log,
    clock: overrides.clock ?? { now: () => new Date() },
    metrics: new Metrics(),
    store,
    graph,
  };
}

/** The composition root: builds the context, wires workflows to adapters, starts the loops. */
export async function createApp(
  config: Config,
  secrets: Secrets,
  overrides: AppOverrides = {},
): Promise<App> {
  const ctx = await createAppContext(config, secrets, overrides);
  const { log, clock, store, graph } = ctx;
  const loops = new Map<string, WorkerLoop>();
  const wake = (name: string) => () => loops.get(name)?.kick();
  const watched = new Set(graph.watchedGroupIds);
  const permissions = createPermissionNotes();
  const groupBackoff = createGroupBackoff(clock);
  const onCaseChanged = wake('outbox');
  const tasks = createBackgroundTasks(log);
  const reads = { store, directory: graph.directory, remediation: graph.directory, log, clock };

  const approverGroupId =
    config.decisions.approverGroupId ??
    (config.graph.mode === 'live' ? null : SEED.groups.secOpsApprovers);
  const approvers = createApproverPolicy(reads, { groupId: approverGroupId });
  if (approvers.disabledReason) {
    log.warn({ reason: approvers.disabledReason }, 'decisions are disabled: cards say why');
  }
  // Joining the approver group makes someone an approver: it is as privileged as tier 0.
  const tier0GroupIds = new Set([
    ...config.decisions.tier0GroupIds,
    ...(approverGroupId ? [approverGroupId.toLowerCase()] : []),
  ]);
  const privilege = createPrivilegePolicy(reads, tier0GroupIds);
  const base = { ...reads, privilege, permissions, groupBackoff };
  const cardContext = async () => ({
    approverGroupName: await approvers.groupName(),
    disabledReason: approvers.disabledReason,
    tier0GroupIds,
    audience: await store.listCardAudience(MAX_REFRESH_USERS),
    actorUnavailable: permissions.isMissing(AUDIT_PERMISSION) ? ACTOR_UNAVAILABLE : null,
  });
  const alertChannel = createAlertChannelBinding({
    store,
    log,
    pinned: config.alertChannelPin,
    approvers,
  });
  const adapter = createTeamsAdapter(config.teams, secrets, log, overrides.botCredentialsFactory);
  const messenger = createTeamsMessenger(adapter, config.teams, cardContext);
  const bot = new GroupGuardBot({
    mode: config.mode,
    store,
    log,
    commands,
    cardActions: cardActions({
      ...base,
      approvers,
      restoreRequestTtlMs: config.decisions.restoreRequestTtlMs,
      staleCaseAgeMs: config.decisions.staleCaseAgeMs,
      resolveActor: createActorResolver({ ...base, onCaseChanged }),
      onCaseChanged,
      answerWithinMs: config.decisions.clickAnswerBudgetMs,
      tasks,
    }),
    demoTenant: graph.demoTenant,
    cardContext,
    tenantId: config.teams.tenantId,
    alertChannel,
    isApprover: (userId) => approvers.isApprover(userId),
    recordMisplacedInvoke: createMisplacedInvokeLog(base),
  });

  let publicUrl = config.publicUrl ?? '';
  const subscriptionPolicy = config.subscription;
  const sweep = (reason: 'periodic' | 'event') =>
    sweepGroups({ ...base, onCaseChanged }, watched, reason);
  const lifecycleEvents = createLifecycleEvents({
    store,
    log,
    renew: () => renewSubscription(base, publicUrl, subscriptionPolicy, { force: true }),
    sweep: () => sweep('event'),
    kick: wake('lifecycle'),
  });
  const reportedUnknown = new Set<string>();
  // Demo has no bot authentication: a page that rebinds its DNS name to 127.0.0.1 must not reach it.
  let demoHosts: Set<string> | null = null;
  const { server, operations } = createHttpServer({
    log,
    metrics: ctx.metrics,
    processTeamsRequest: (req, res) => adapter.process(req, res, (turn) => bot.run(turn)),
    acceptNotifications: (notifications) =>
      acceptNotifications(
        {
          store,
          log,
          tenantId: graph.tenantId,
          isWatched: (id) => watched.has(id),
          reportedUnknown,
          wakeInbox: wake('inbox'),
        },
        notifications,
      ),
    lifecycleEvents,
    readiness: () =>
      checkReadiness({ ...ctx, groupBackoff, alertChannelPin: config.alertChannelPin }),
    hostAllowed: config.teams.authEnabled ? null : (host) => demoHosts?.has(host) ?? false,
    operationsToken: ctx.secrets.metricsToken,
    separateOperations: config.operations !== null,
  });

  const startLoops = () => {
    const every = (ms: number, work: () => Promise<unknown>) => ({
      ms,
      work: async () => (await work(), 0),
      immediate: false,
    });
    const poll = config.workers.pollIntervalMs;
    const specs = {
      inbox: { ms: poll, work: () => processInbox(base), immediate: true },
      outbox: { ms: poll, work: () => deliverCards({ store, messenger, log }), immediate: true },
      sweep: every(config.workers.sweepIntervalMs, () => sweep('periodic')),
      subscription: every(subscriptionPolicy.checkIntervalMs, async () => {
        const renewal = await renewSubscription(base, publicUrl, subscriptionPolicy, {
          force: false,
        });
        if (renewal === 'created') await sweep('event');
      }),
      lifecycle: { ms: 60_000, work: () => lifecycleEvents.run(), immediate: false },
    };
    for (const [name, spec] of Object.entries(specs)) {
      loops.set(name, startWorkerLoop(name, spec.work, spec.ms, log, spec));
    }
  };

  return {
    log,
    store,
    simulator: graph.simulator,
    async start() {
      await new Promise<void>((resolve) => server.listen(config.port, config.host, resolve));
      const port = (server.address() as AddressInfo).port;
      const url = `http://${config.host}:${port}`;
      demoHosts = new Set([`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`]);
      let operationsUrl: string | null = null;
      if (operations && config.operations) {
        const { port: opsPort, host: opsHost } = config.operations;
        await new Promise<void>((resolve) => operations.listen(opsPort, opsHost, resolve));
        operationsUrl = `http://${opsHost}:${(operations.address() as AddressInfo).port}`;
      }
      publicUrl = config.publicUrl ?? url;
      await alertChannel.enforcePin();
      const outcome = await retryWithBackoff(
        'graph subscription reconciliation',
        () => ensureSubscription(base, publicUrl, subscriptionPolicy),
        log,
      );
      log.info({ outcome }, 'graph subscription reconciled');
      // The first sweep is the baseline, or catches up on what happened while we were down.
      await sweep('event');
      startLoops();
      return { url, operationsUrl };
    },
    async stop() {
      // Stop taking work first: no new requests, then let the loops finish what is in flight.
      const closed = Promise.all(
        [server, operations].map(
          (s) =>
            s &&
            new Promise<void>((resolve) => {
              s.close(() => resolve());
              s.server.closeIdleConnections();
            }),
        ),
      );
      // A decision past its click's budget settles first; one cut off here is a crash to recovery.
      if (!(await tasks.drain(STOP_WAIT_MS))) {
        log.warn(
          { waitedMs: STOP_WAIT_MS },
          'decisions still running at stop; the sweep finishes restores',
        );
      }
      await Promise.all([...loops.values()].map((loop) => loop.stop()));
      await closed;
      await graph.simulator?.stop();
      await store.close();
    },
  };
}
