import { randomUUID } from 'node:crypto';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { generate } from 'selfsigned';
import { DEFAULT_APP_PERMISSIONS } from './app-permissions.js';
import { GraphApi } from './graph-api.js';
import { GraphApiError } from './graph-api-error.js';
import { GraphExchange } from './graph-exchange.js';
import { GroupsDelta, type DeltaTokenExpiry } from './groups-delta.js';
import { RequestGates, type HeldRoute, type HoldOptions } from './request-gate.js';
import {
  NotificationDispatcher,
  type GraphFaults,
  type RetryPolicy,
} from './notification-dispatcher.js';
import { seedTenant, type SeedTenant, type SimGroup, type SimUser } from './seed-tenant.js';
import { SeededRandom } from './seeded-random.js';
import {
  readSimulatedTenant,
  SimulatedTenantFileError,
  writeSimulatedTenant,
} from './simulated-tenant-file.js';
import { SubscriptionRegistry, type SimSubscription } from './subscription-registry.js';
import { TenantState, type Actor, type DirectoryAuditRecord } from './tenant-state.js';
import { TokenIssuer } from './token-issuer.js';

export type { GraphFaults } from './notification-dispatcher.js';
export type { SimSubscription } from './subscription-registry.js';
export type { DirectoryAuditRecord } from './tenant-state.js';
export type { DeltaTokenExpiry } from './groups-delta.js';
export type { HeldRoute, HoldOptions } from './request-gate.js';
export type { SimGroup, SimUser } from './seed-tenant.js';
export { DEFAULT_APP_PERMISSIONS } from './app-permissions.js';
export { SimulatedTenantFileError };

export interface GraphSimulatorOptions {
  /** Default 0: a random free port. */
  port?: number;
  /** PRNG seed for faults and ids; default 1. */
  seed?: number;
  faults?: Partial<GraphFaults>;
  /** Default { attempts: 5, initialDelayMs: 200 }; attempts counts the first delivery. */
  notificationRetry?: RetryPolicy;
  log?: (msg: string, fields?: Record<string, unknown>) => void;
  /** The directory to play; the seeded demo tenant by default. */
  tenant?: SeedTenant;
  /** Application permissions granted to the app (its tokens' `roles`); default DEFAULT_APP_PERMISSIONS. */
  appPermissions?: readonly string[];
  /**
   * Where the tenant lives between runs: loaded at start if present, rewritten after every
   * change. Throws SimulatedTenantFileError when the file is unreadable or another tenant's.
   */
  stateFile?: string;
}

export interface SimDirectory {
  users(): SimUser[];
  groups(): SimGroup[];
  /** Case-insensitive display name, UPN, UPN alias, given name, or id. */
  findUser(nameOrUpnOrId: string): SimUser | undefined;
  /** Case-insensitive display name, mail nickname, or id. */
  findGroup(nameOrId: string): SimGroup | undefined;
  members(groupId: string): string[];
  isMember(groupId: string, memberId: string): boolean;
  /**
   * Same effect as Graph's DELETE .../members/{id}/$ref (change log, audit record, notifications).
   * Unlike the API it also changes dynamic, synced and mail-enabled groups, as rule processing,
   * directory sync or Exchange would. `actorId` is a user (id, UPN or name) or the app's client id.
   */
  removeMember(groupId: string, memberId: string, actorId: string): void;
  addMember(groupId: string, memberId: string, actorId: string): void;
  /** An admin deletes the group: Graph answers 404 for it from then on (no deleted-items bin here). */
  deleteGroup(groupId: string): void;
  subscriptions(): SimSubscription[];
  /** Directory audit records, oldest first. */
  auditRecords(): DirectoryAuditRecord[];
}

export interface GraphSimulator {
  /** Graph base, e.g. https://127.0.0.1:PORT; the API is under /v1.0. */
  url: string;
  /** Entra token endpoint of the tenant: `${url}/${tenantId}/oauth2/v2.0/token`. */
  tokenUrl: string;
  /** PEM certificate clients must trust. */
  ca: string;
  tenantId: string;
  /** The bot's app registration (client_credentials). */
  credentials: { clientId: string; clientSecret: string };
  /** Password of every seeded admin (isAdmin) for the ROPC grant. */
  adminPassword: string;
  directory: SimDirectory;
  setFaults(f: Partial<GraphFaults>): void;
  /** Grants the app these application permissions from its next token on, as admin consent does. */
  setAppPermissions(permissions: readonly string[]): void;
  /** Every delta and skip token issued so far becomes invalid, failing the way `kind` says. */
  expireDeltaTokens(kind?: DeltaTokenExpiry): void;
  sendLifecycleEvent(subscriptionId: string, event: 'reauthorizationRequired'): Promise<void>;
  /**
   * Entra's audit log lags minutes behind: while held, new records stay out of
   * `directoryAudits`; releasing publishes them.
   */
  holdAuditLog(held: boolean): void;
  /**
   * Holds requests to one route (under /v1.0, `:name` for ids, e.g. `groups/:id/members/$ref`)
   * before Graph acts on them, until the test releases them; or throttles them with 429.
   */
  hold(method: string, path: string, options?: HoldOptions): HeldRoute;
  /** Requests that reached one exact path under /v1.0 (ids included), e.g. `groups/<id>`. */
  requestCount(method: string, path: string): number;
  /** Deletes a subscription as Graph does when it expires or an admin revokes consent. */
  dropSubscription(subscriptionId: string): void;
  /** Closes the server and cancels pending deliveries and timers. */
  stop(): Promise<void>;
}

const NO_FAULTS: GraphFaults = {
  duplicateNotifications: 0,
  dropNotifications: 0,
  delayNotificationsMs: 0,
  throttle429: 0,
  unavailable503: 0,
  retryAfterSeconds: 1,
};

async function certificate(): Promise<{ key: string; cert: string }> {
  const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
        ],
      },
    ],
  });
  return { key: pems.private, cert: pems.cert };
}

export async function startGraphSimulator(
  options: GraphSimulatorOptions = {},
): Promise<GraphSimulator> {
  const log = options.log ?? ((): void => undefined);
  const seed = options.seed ?? 1;
  let faults: GraphFaults = { ...NO_FAULTS, ...options.faults };
  let baseUrl = '';
  const tenant = options.tenant ?? seedTenant;
  const app = tenant.app;
  const tenantId = tenant.tenantId;
  const stateFile = options.stateFile;
  const saved = stateFile ? readSimulatedTenant(stateFile) : null;
  if (stateFile && saved && saved.tenantId !== tenantId) {
    throw new SimulatedTenantFileError(
      stateFile,
      `holds tenant ${saved.tenantId}, not the simulated tenant ${tenantId}`,
    );
  }
  const ids = new SeededRandom(saved?.ids ?? seed);
  const instanceId = saved?.instanceId ?? randomUUID();

  const state = saved
    ? TenantState.restore(saved.directory, tenant, ids)
    : new TenantState(tenant, ids);
  const tokens = new TokenIssuer(
    tenantId,
    tenant.domain,
    app,
    state,
    new Set(options.appPermissions ?? DEFAULT_APP_PERMISSIONS),
  );
  const dispatcher = new NotificationDispatcher(
    options.notificationRetry ?? { attempts: 5, initialDelayMs: 200 },
    new SeededRandom(seed ^ 0x5eed_0001),
    () => faults,
    log,
  );
  const subscriptions = new SubscriptionRegistry(state, dispatcher, ids, tenantId, app, log, () =>
    save(),
  );
  const delta = new GroupsDelta(state, instanceId, () => baseUrl, saved?.delta);
  const save = (): void => {
    if (!stateFile) return;
    try {
      writeSimulatedTenant(stateFile, {
        format: 'groupguard-simulated-tenant',
        version: 1,
        tenantId,
        instanceId,
        ids: ids.state,
        delta: delta.generation,
        directory: state.save(),
        subscriptions: subscriptions.save(),
      });
    } catch (error) {
      log('graph-sim: saving the tenant failed', {
        path: stateFile,
        error: error instanceof Error ? error.message : String(error),
      });
    }
  };
  let auditHeldFrom: number | null = null;
  const gates = new RequestGates();
  const api = new GraphApi({
    gates,
    publishedAudits: () =>
      auditHeldFrom === null ? state.audits : state.audits.slice(0, auditHeldFrom),
    state,
    tokens,
    subscriptions,
    delta,
    app,
    tenantId,
    instanceId,
    apiFaultRandom: new SeededRandom(seed ^ 0x5eed_0002),
    faults: () => faults,
    baseUrl: () => baseUrl,
    log,
  });
  state.onChange((change) => subscriptions.notifyChange(change));
  state.onChange(save);
  if (saved) subscriptions.restore(saved.subscriptions);
  // Saved at once, so the next run keeps this instance id even if nothing changes.
  save();

  const route = async (ex: GraphExchange): Promise<void> => {
    const [first, ...rest] = ex.segments;
    if (first?.toLowerCase() === 'v1.0') {
      await api.handle(ex, rest);
      return;
    }
    const path = rest.join('/').toLowerCase();
    if (first !== undefined && path === 'oauth2/v2.0/token') {
      if (ex.method !== 'POST') {
        ex.sendPlainJson(405, {
          error: 'invalid_request',
          error_description: 'AADSTS900561: The endpoint only accepts POST requests.',
        });
        return;
      }
      await tokens.handleTokenRequest(ex, first);
      return;
    }
    if (
      first !== undefined &&
      (path === 'v2.0/.well-known/openid-configuration' || path === 'discovery/v2.0/keys')
    ) {
      if (!tokens.isTenant(first)) {
        ex.sendPlainJson(400, {
          error: 'invalid_tenant',
          error_description: `AADSTS90002: Tenant '${first}' not found.`,
        });
        return;
      }
      ex.sendPlainJson(
        200,
        path === 'discovery/v2.0/keys' ? { keys: [] } : tokens.openIdConfiguration(baseUrl),
      );
      return;
    }
    throw new GraphApiError(404, 'ResourceNotFound', 'Invalid request');
  };

  const { key, cert } = await certificate();
  const server = https.createServer({ key, cert }, (req, res) => {
    const ex = new GraphExchange(req, res);
    req.on('error', () => undefined);
    res.on('error', () => undefined);
    route(ex).catch((error: unknown) => {
      if (error instanceof GraphApiError) {
        ex.sendError(error);
        return;
      }
      log('graph-sim: internal error', {
        error: error instanceof Error ? error.stack : String(error),
      });
      ex.sendError(
        new GraphApiError(500, 'generalException', 'An internal server error occurred.'),
      );
    });
  });
  server.on('clientError', (_error, socket) => socket.destroy());
  server.on('tlsClientError', (_error, socket) => socket.destroy());

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  baseUrl = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  log('graph-sim: listening', { url: baseUrl, tenantId });

  const actorFor = (actorId: string): Actor => {
    if (actorId.toLowerCase() === app.clientId) return { kind: 'app', app };
    const user = state.findUser(actorId);
    if (!user) throw new Error(`unknown actor '${actorId}'`);
    return { kind: 'user', user, ipAddress: null };
  };
  const resolveChange = (
    groupKey: string,
    memberKey: string,
  ): { group: SimGroup; memberId: string } => {
    const group = state.findGroup(groupKey);
    if (!group) throw new Error(`unknown group '${groupKey}'`);
    const memberId = state.findUser(memberKey)?.id ?? state.findGroup(memberKey)?.id;
    if (!memberId) throw new Error(`unknown member '${memberKey}'`);
    return { group, memberId };
  };

  const directory: SimDirectory = {
    users: () => [...state.users.values()].map((u) => structuredClone(u)),
    groups: () => [...state.groups.values()].map((g) => structuredClone(g)),
    findUser: (k) => {
      const user = state.findUser(k);
      return user && structuredClone(user);
    },
    findGroup: (k) => {
      const group = state.findGroup(k);
      return group && structuredClone(group);
    },
    members: (groupId) => state.members(groupId),
    isMember: (groupId, memberId) => state.isMember(groupId, memberId),
    removeMember(groupKey, memberKey, actorId) {
      const { group, memberId } = resolveChange(groupKey, memberKey);
      if (!state.isMember(group.id, memberId)) {
        throw new Error(`'${memberKey}' is not a member of '${group.displayName}'`);
      }
      state.changeMembership(group.id, memberId, 'remove', actorFor(actorId));
    },
    addMember(groupKey, memberKey, actorId) {
      const { group, memberId } = resolveChange(groupKey, memberKey);
      if (state.isMember(group.id, memberId)) {
        throw new Error(`'${memberKey}' is already a member of '${group.displayName}'`);
      }
      state.changeMembership(group.id, memberId, 'add', actorFor(actorId));
    },
    deleteGroup(groupKey) {
      const group = state.findGroup(groupKey);
      if (!group) throw new Error(`unknown group '${groupKey}'`);
      state.groups.delete(group.id);
      save();
    },
    subscriptions: () => subscriptions.list(),
    auditRecords: () => structuredClone(state.audits),
  };

  let stopped: Promise<void> | undefined;
  return {
    url: baseUrl,
    tokenUrl: `${baseUrl}/${tenantId}/oauth2/v2.0/token`,
    ca: cert,
    tenantId,
    credentials: { clientId: app.clientId, clientSecret: tokens.clientSecret },
    adminPassword: tokens.adminPassword,
    directory,
    setFaults(f) {
      faults = { ...faults, ...f };
    },
    setAppPermissions(permissions) {
      tokens.appPermissions = new Set(permissions);
    },
    expireDeltaTokens(kind = 'syncStateNotFound') {
      delta.expireAll(kind);
      save();
    },
    sendLifecycleEvent: (subscriptionId, event) =>
      subscriptions.sendLifecycleEvent(subscriptionId, event),
    dropSubscription: (subscriptionId) => subscriptions.delete(subscriptionId),
    holdAuditLog: (held) => {
      auditHeldFrom = held ? state.audits.length : null;
    },
    hold: (method, path, options) => gates.hold(method, path, options),
    requestCount: (method, path) => gates.count(method, path),
    stop() {
      stopped ??= new Promise<void>((resolve) => {
        gates.releaseAll();
        dispatcher.stop();
        subscriptions.stop();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return stopped;
    },
  };
}

/** What another process needs to use a running simulator (written to a file for chaos runs). */
export interface SimulatorConnection {
  url: string;
  tokenUrl: string;
  ca: string;
  clientId: string;
  clientSecret: string;
  adminPassword: string;
}

export function simulatorConnection(sim: GraphSimulator): SimulatorConnection {
  return {
    url: sim.url,
    tokenUrl: sim.tokenUrl,
    ca: sim.ca,
    ...sim.credentials,
    adminPassword: sim.adminPassword,
  };
}
