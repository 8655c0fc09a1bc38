import { isObjectId } from '../core/object-id.js';
import { GraphApiError } from './graph-api-error.js';
import type { GraphExchange } from './graph-exchange.js';
import type { GroupsDelta } from './groups-delta.js';
import { PERMISSIONS, requirePermission, type PermissionRule } from './app-permissions.js';
import type { GraphFaults } from './notification-dispatcher.js';
import { evaluateFilter, filterPaths, parseODataFilter } from './parse-odata-filter.js';
import {
  GROUP_PROPERTIES,
  USER_PROPERTIES,
  parseSelect,
  projectDirectoryObject,
  projectGroup,
  projectUser,
} from './project-directory-object.js';
import type { RequestGates } from './request-gate.js';
import type { SimApp, SimGroup, SimUser } from './seed-tenant.js';
import type { SeededRandom } from './seeded-random.js';
import type { SubscriptionRegistry } from './subscription-registry.js';
import {
  readOnlyReason,
  type Actor,
  type DirectoryAuditRecord,
  type TenantState,
} from './tenant-state.js';
import type { Principal, TokenIssuer } from './token-issuer.js';

export interface GraphApiContext {
  state: TenantState;
  /** The audit records `directoryAudits` may show now (the log can be held back). */
  publishedAudits: () => readonly DirectoryAuditRecord[];
  tokens: TokenIssuer;
  subscriptions: SubscriptionRegistry;
  delta: GroupsDelta;
  app: SimApp;
  tenantId: string;
  instanceId: string;
  apiFaultRandom: SeededRandom;
  faults: () => GraphFaults;
  gates: RequestGates;
  baseUrl: () => string;
  log: (msg: string, fields?: Record<string, unknown>) => void;
}

type Params = Record<string, string>;
type Handler = (ex: GraphExchange, params: Params, principal: Principal) => Promise<void> | void;

interface Route {
  method: string;
  pattern: string[];
  handler: Handler;
  /** What an app-only token needs; none for routes on the app's own subscriptions. */
  needs: PermissionRule | null;
}

const DIRECTORY_OBJECT_PROPERTIES = [...new Set([...USER_PROPERTIES, ...GROUP_PROPERTIES])];
const AUDIT_FILTER_PATHS = new Set(
  [
    'activityDisplayName',
    'activityDateTime',
    'category',
    'correlationId',
    'id',
    'loggedByService',
    'operationType',
    'result',
    'initiatedBy/user/id',
    'initiatedBy/user/displayName',
    'initiatedBy/user/userPrincipalName',
    'initiatedBy/app/appId',
    'initiatedBy/app/displayName',
    'initiatedBy/app/servicePrincipalId',
    'targetResources/id',
    'targetResources/displayName',
    'targetResources/type',
    'targetResources/userPrincipalName',
  ].map((p) => p.toLowerCase()),
);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function queryValue(value: string): string {
  return encodeURIComponent(value).replace(/%2C/g, ',').replace(/%24/g, '$');
}

/** The /v1.0 API: authentication, injected faults and every route the simulator serves. */
export class GraphApi {
  private readonly routes: Route[];

  constructor(private readonly ctx: GraphApiContext) {
    const r = (
      method: string,
      path: string,
      needs: PermissionRule | null,
      handler: Handler,
    ): Route => ({ method, pattern: path.split('/'), handler, needs });
    const { groupRead, memberWrite, userRead, directoryRead, auditRead, groupSubscription } =
      PERMISSIONS;
    this.routes = [
      r('GET', 'groups', groupRead, (ex) => this.listGroups(ex)),
      r('GET', 'groups/delta', groupRead, (ex) => this.ctx.delta.handle(ex)),
      r('GET', 'groups/:id', groupRead, (ex, p) => this.getGroup(ex, p)),
      r('GET', 'groups/:id/members', groupRead, (ex, p) => this.listMembers(ex, p, false)),
      r('GET', 'groups/:id/transitiveMembers', groupRead, (ex, p) => this.listMembers(ex, p, true)),
      r('POST', 'groups/:id/members/$ref', memberWrite, (ex, p, who) => this.addMember(ex, p, who)),
      r('DELETE', 'groups/:id/members/:member/$ref', memberWrite, (ex, p, who) =>
        this.removeMember(ex, p, who),
      ),
      r('GET', 'users', userRead, (ex) => this.listUsers(ex)),
      r('GET', 'users/:id', userRead, (ex, p) => this.getUser(ex, p.id ?? '')),
      r('GET', 'users/:id/memberOf', groupRead, (ex, p) => this.memberOf(ex, p, false)),
      r('GET', 'users/:id/transitiveMemberOf', groupRead, (ex, p) => this.memberOf(ex, p, true)),
      r('POST', 'users/:id/checkMemberGroups', groupRead, (ex, p) => this.checkMemberGroups(ex, p)),
      r('GET', 'me', null, (ex, _p, who) => this.me(ex, who)),
      r('GET', 'directoryObjects/:id', directoryRead, (ex, p) => this.getDirectoryObject(ex, p)),
      r('POST', 'directoryObjects/:id/checkMemberGroups', groupRead, (ex, p) =>
        this.checkMemberGroups(ex, p),
      ),
      r('GET', 'auditLogs/directoryAudits', auditRead, (ex) => this.listAudits(ex)),
      r('GET', 'auditLogs/directoryAudits/:id', auditRead, (ex, p) => this.getAudit(ex, p)),
      r('GET', 'subscriptions', null, (ex) => this.listSubscriptions(ex)),
      r('POST', 'subscriptions', groupSubscription, (ex, _p, who) =>
        this.createSubscription(ex, who),
      ),
      r('GET', 'subscriptions/:id', null, (ex, p) => this.getSubscription(ex, p)),
      r('PATCH', 'subscriptions/:id', null, (ex, p) => this.updateSubscription(ex, p)),
      r('DELETE', 'subscriptions/:id', null, (ex, p) => this.deleteSubscription(ex, p)),
      r('POST', 'subscriptions/:id/reauthorize', null, (ex, p) => this.reauthorize(ex, p)),
    ];
  }

  /** Handles a request whose path starts with /v1.0; `segments` excludes that prefix. */
  async handle(ex: GraphExchange, segments: string[]): Promise<void> {
    const principal = this.ctx.tokens.authenticate(ex.header('authorization'));
    await this.ctx.gates.pass(ex.method, segments);
    this.injectFaults(ex, segments);
    if (ex.parseError) throw ex.parseError;
    const candidates = this.routes
      .map((route) => ({ route, params: this.match(route.pattern, segments) }))
      .filter((c): c is { route: Route; params: Params } => c.params !== undefined);
    if (candidates.length === 0) {
      throw new GraphApiError(
        404,
        'ResourceNotFound',
        `Invalid request: resource not found for the segment '${segments.join('/')}'.`,
      );
    }
    const chosen = candidates.find((c) => c.route.method === ex.method);
    if (!chosen) {
      const allow = [...new Set(candidates.map((c) => c.route.method))].join(', ');
      throw new GraphApiError(
        405,
        'Request_BadRequest',
        `Specified HTTP method '${ex.method}' is not allowed for the request target.`,
        { Allow: allow },
      );
    }
    if (chosen.route.needs && principal.kind === 'app') {
      requirePermission(principal.roles, chosen.route.needs);
    }
    await chosen.route.handler(ex, chosen.params, principal);
  }

  private injectFaults(ex: GraphExchange, segments: string[]): void {
    const faults = this.ctx.faults();
    const throttle = this.ctx.apiFaultRandom.chance(faults.throttle429);
    const unavailable = this.ctx.apiFaultRandom.chance(faults.unavailable503);
    if (throttle || unavailable) {
      this.ctx.log('graph-sim: fault injected', {
        status: throttle ? 429 : 503,
        method: ex.method,
        path: `/v1.0/${segments.join('/')}`,
      });
    }
    if (throttle) {
      throw new GraphApiError(
        429,
        'TooManyRequests',
        'Please retry again later.',
        {
          'Retry-After': String(faults.retryAfterSeconds),
          'x-ms-throttle-scope': `Tenant_Application/ReadWrite/${this.ctx.app.clientId}/${this.ctx.tenantId}`,
          'x-ms-throttle-information': 'ResourceUnitLimitExceeded',
        },
        { code: '429', message: 'Please retry after', status: '429' },
      );
    }
    if (unavailable) {
      throw new GraphApiError(
        503,
        'serviceNotAvailable',
        'The service is temporarily unavailable for maintenance or is overloaded. You may repeat the request after a delay, the length of which may be specified in a Retry-After header.',
        { 'Retry-After': String(faults.retryAfterSeconds) },
      );
    }
  }

  private match(pattern: string[], segments: string[]): Params | undefined {
    if (pattern.length !== segments.length) return undefined;
    const params: Params = {};
    for (let i = 0; i < pattern.length; i++) {
      const p = pattern[i] as string;
      const s = segments[i] as string;
      if (p.startsWith(':')) params[p.slice(1)] = s;
      else if (p.toLowerCase() !== s.toLowerCase()) return undefined;
    }
    return params;
  }

  private context(fragment: string): string {
    return `${this.ctx.baseUrl()}/v1.0/$metadata#${fragment}`;
  }

  private requireGroup(id: string | undefined): SimGroup {
    const key = id ?? '';
    if (!isObjectId(key)) throw GraphApiError.badRequest(`Invalid object identifier '${key}'.`);
    const group = this.ctx.state.groups.get(key.toLowerCase());
    if (!group) throw GraphApiError.notFound(key);
    return group;
  }

  private requireUser(idOrUpn: string | undefined): SimUser {
    const key = (idOrUpn ?? '').toLowerCase();
    const user =
      this.ctx.state.users.get(key) ??
      [...this.ctx.state.users.values()].find((u) => u.userPrincipalName.toLowerCase() === key);
    if (!user) throw GraphApiError.notFound(idOrUpn ?? '');
    return user;
  }

  private actor(ex: GraphExchange, principal: Principal): Actor {
    if (principal.kind === 'app') return { kind: 'app', app: this.ctx.app };
    const user = this.requireUser(principal.userId);
    const address = ex.req.socket.remoteAddress ?? null;
    return { kind: 'user', user, ipAddress: address?.replace(/^::ffff:/, '') ?? null };
  }

  /** Pages a collection with $top / $skiptoken, keeping the other query options in nextLink. */
  private sendPage(
    ex: GraphExchange,
    path: string,
    contextFragment: string,
    items: unknown[],
    maxTop = 999,
  ): void {
    const rawTop = ex.query.get('$top');
    let top = 100;
    if (rawTop !== undefined) {
      top = Number(rawTop);
      if (!Number.isInteger(top) || top < 1 || top > maxTop) {
        throw GraphApiError.badRequest(
          `Invalid page size specified: '${rawTop}'. Must be between 1 and ${maxTop} inclusive.`,
        );
      }
    }
    let offset = 0;
    const skip = ex.query.get('$skiptoken');
    if (skip !== undefined) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(Buffer.from(skip, 'base64url').toString('utf8'));
      } catch {
        parsed = undefined;
      }
      if (!isRecord(parsed) || parsed.i !== this.ctx.instanceId || typeof parsed.o !== 'number') {
        throw GraphApiError.badRequest(
          'The $skiptoken is invalid or was issued by another service instance.',
        );
      }
      offset = parsed.o;
    }
    const page = items.slice(offset, offset + top);
    const body: Record<string, unknown> = { '@odata.context': this.context(contextFragment) };
    if (offset + top < items.length) {
      const kept = ['$select', '$filter', '$orderby', '$top']
        .filter((k) => ex.query.has(k))
        .map((k) => `${k}=${queryValue(ex.query.get(k) ?? '')}`);
      const token = Buffer.from(
        JSON.stringify({ i: this.ctx.instanceId, o: offset + top }),
      ).toString('base64url');
      body['@odata.nextLink'] =
        `${this.ctx.baseUrl()}/v1.0/${path}?${[...kept, `$skiptoken=${token}`].join('&')}`;
    }
    body.value = page;
    ex.sendJson(200, body);
  }

  private filterItems<T>(
    ex: GraphExchange,
    items: T[],
    allowed: Set<string>,
    view: (item: T) => unknown,
  ): T[] {
    const raw = ex.query.get('$filter');
    if (raw === undefined || raw.trim() === '') return items;
    const expr = parseODataFilter(raw);
    for (const path of filterPaths(expr)) {
      if (!allowed.has(path.toLowerCase())) {
        throw GraphApiError.badRequest(
          `Unsupported or invalid query filter clause specified for property '${path}'.`,
          'Request_UnsupportedQuery',
        );
      }
    }
    return items.filter((item) => evaluateFilter(expr, view(item)));
  }

  private listGroups(ex: GraphExchange): void {
    const select = parseSelect(ex.query.get('$select'), GROUP_PROPERTIES, 'microsoft.graph.group');
    const groups = this.filterItems(
      ex,
      [...this.ctx.state.groups.values()],
      new Set(GROUP_PROPERTIES.map((p) => p.toLowerCase())),
      (g) => projectGroup(g, null),
    );
    this.sendPage(
      ex,
      'groups',
      select ? `groups(${select.join(',')})` : 'groups',
      groups.map((g) => projectGroup(g, select)),
    );
  }

  private getGroup(ex: GraphExchange, params: Params): void {
    const group = this.requireGroup(params.id);
    const select = parseSelect(ex.query.get('$select'), GROUP_PROPERTIES, 'microsoft.graph.group');
    ex.sendJson(200, {
      '@odata.context': this.context(
        select ? `groups(${select.join(',')})/$entity` : 'groups/$entity',
      ),
      ...projectGroup(group, select),
    });
  }

  private listMembers(ex: GraphExchange, params: Params, transitive: boolean): void {
    const group = this.requireGroup(params.id);
    const select = parseSelect(
      ex.query.get('$select'),
      DIRECTORY_OBJECT_PROPERTIES,
      'microsoft.graph.directoryObject',
    );
    const ids = transitive
      ? this.ctx.state.transitiveMembers(group.id)
      : this.ctx.state.members(group.id);
    const members = ids.flatMap((id) => {
      const object = this.ctx.state.directoryObject(id);
      return object ? [projectDirectoryObject(object, select)] : [];
    });
    const segment = transitive ? 'transitiveMembers' : 'members';
    this.sendPage(ex, `groups/${group.id}/${segment}`, 'directoryObjects', members);
  }

  private async memberRef(ex: GraphExchange): Promise<string> {
    const body = await ex.readJson();
    const ref = isRecord(body) ? body['@odata.id'] : undefined;
    if (typeof ref !== 'string') {
      throw GraphApiError.badRequest(
        "The request body must contain an '@odata.id' reference.",
        'BadRequest',
      );
    }
    let url: URL;
    try {
      url = new URL(ref);
    } catch {
      throw GraphApiError.badRequest(
        `Invalid URL format specified in @odata.id: '${ref}'.`,
        'BadRequest',
      );
    }
    const own = new URL(this.ctx.baseUrl());
    const knownHost = url.hostname === 'graph.microsoft.com' || url.host === own.host;
    const match = /^\/(?:v1\.0|beta)\/(?:directoryObjects|users|groups)\/([^/]+)\/?$/i.exec(
      url.pathname,
    );
    if (!knownHost || !match?.[1]) {
      throw GraphApiError.badRequest(
        `Invalid URL format specified in @odata.id: '${ref}'.`,
        'BadRequest',
      );
    }
    return decodeURIComponent(match[1]).toLowerCase();
  }

  private async addMember(ex: GraphExchange, params: Params, principal: Principal): Promise<void> {
    const group = this.requireGroup(params.id);
    const memberId = await this.memberRef(ex);
    const refused = readOnlyReason(group);
    if (refused) throw refused;
    if (!this.ctx.state.directoryObject(memberId)) throw GraphApiError.notFound(memberId);
    if (memberId === group.id) {
      throw GraphApiError.badRequest('A group cannot be added as a member of itself.');
    }
    if (this.ctx.state.isMember(group.id, memberId)) {
      throw GraphApiError.badRequest(
        "One or more added object references already exist for the following modified properties: 'members'.",
      );
    }
    this.ctx.state.changeMembership(group.id, memberId, 'add', this.actor(ex, principal));
    ex.sendEmpty(204);
  }

  private removeMember(ex: GraphExchange, params: Params, principal: Principal): void {
    const group = this.requireGroup(params.id);
    const memberId = (params.member ?? '').toLowerCase();
    const refused = readOnlyReason(group);
    if (refused) throw refused;
    if (!this.ctx.state.isMember(group.id, memberId))
      throw GraphApiError.notFound(params.member ?? '');
    this.ctx.state.changeMembership(group.id, memberId, 'remove', this.actor(ex, principal));
    ex.sendEmpty(204);
  }

  private listUsers(ex: GraphExchange): void {
    const select = parseSelect(ex.query.get('$select'), USER_PROPERTIES, 'microsoft.graph.user');
    const users = this.filterItems(
      ex,
      [...this.ctx.state.users.values()],
      new Set(USER_PROPERTIES.map((p) => p.toLowerCase())),
      (u) => projectUser(u, USER_PROPERTIES),
    );
    this.sendPage(
      ex,
      'users',
      select ? `users(${select.join(',')})` : 'users',
      users.map((u) => projectUser(u, select)),
    );
  }

  private getUser(ex: GraphExchange, idOrUpn: string): void {
    const user = this.requireUser(idOrUpn);
    const select = parseSelect(ex.query.get('$select'), USER_PROPERTIES, 'microsoft.graph.user');
    ex.sendJson(200, {
      '@odata.context': this.context(
        select ? `users(${select.join(',')})/$entity` : 'users/$entity',
      ),
      ...projectUser(user, select),
    });
  }

  private me(ex: GraphExchange, principal: Principal): void {
    if (principal.kind !== 'user') {
      throw GraphApiError.badRequest(
        '/me request is only valid with delegated authentication flow.',
        'BadRequest',
      );
    }
    this.getUser(ex, principal.userId);
  }

  private memberOf(ex: GraphExchange, params: Params, transitive: boolean): void {
    const user = this.requireUser(params.id);
    const select = parseSelect(
      ex.query.get('$select'),
      DIRECTORY_OBJECT_PROPERTIES,
      'microsoft.graph.directoryObject',
    );
    const groups = this.ctx.state.memberOf(user.id, transitive).flatMap((id) => {
      const object = this.ctx.state.directoryObject(id);
      return object ? [projectDirectoryObject(object, select)] : [];
    });
    const segment = transitive ? 'transitiveMemberOf' : 'memberOf';
    this.sendPage(ex, `users/${user.id}/${segment}`, 'directoryObjects', groups);
  }

  private async checkMemberGroups(ex: GraphExchange, params: Params): Promise<void> {
    const key = (params.id ?? '').toLowerCase();
    const object = this.ctx.state.directoryObject(key);
    const id = object ? key : this.requireUser(params.id).id;
    const body = await ex.readJson();
    const groupIds = isRecord(body) ? body.groupIds : undefined;
    if (!Array.isArray(groupIds) || !groupIds.every((g): g is string => typeof g === 'string')) {
      throw GraphApiError.badRequest(
        "The request body must contain 'groupIds', an array of strings.",
        'BadRequest',
      );
    }
    if (groupIds.length > 20) {
      throw GraphApiError.badRequest('The number of groupIds must not exceed 20.');
    }
    const memberOf = new Set(this.ctx.state.memberOf(id, true));
    ex.sendJson(200, {
      '@odata.context': this.context('Collection(Edm.String)'),
      value: groupIds.filter((g) => memberOf.has(g.toLowerCase())),
    });
  }

  private getDirectoryObject(ex: GraphExchange, params: Params): void {
    const key = params.id ?? '';
    if (!isObjectId(key)) throw GraphApiError.badRequest(`Invalid object identifier '${key}'.`);
    const object = this.ctx.state.directoryObject(key);
    if (!object) throw GraphApiError.notFound(key);
    const select = parseSelect(
      ex.query.get('$select'),
      DIRECTORY_OBJECT_PROPERTIES,
      'microsoft.graph.directoryObject',
    );
    ex.sendJson(200, {
      '@odata.context': this.context('directoryObjects/$entity'),
      ...projectDirectoryObject(object, select),
    });
  }

  private listAudits(ex: GraphExchange): void {
    const records = this.filterItems(
      ex,
      [...this.ctx.publishedAudits()],
      AUDIT_FILTER_PATHS,
      (a) => a,
    );
    const orderby = (ex.query.get('$orderby') ?? 'activityDateTime desc').trim();
    const order = /^activityDateTime(\s+(asc|desc))?$/i.exec(orderby);
    if (!order) {
      throw GraphApiError.badRequest(
        `Unsupported $orderby: '${orderby}'. Only activityDateTime is supported.`,
        'Request_UnsupportedQuery',
      );
    }
    const descending = order[2]?.toLowerCase() !== 'asc';
    const sorted = records
      .map((record, index) => ({ record, index }))
      .sort(
        (a, b) =>
          (a.record.activityDateTime.localeCompare(b.record.activityDateTime) ||
            a.index - b.index) * (descending ? -1 : 1),
      )
      .map((x) => x.record);
    this.sendPage(ex, 'auditLogs/directoryAudits', 'auditLogs/directoryAudits', sorted, 1000);
  }

  private getAudit(ex: GraphExchange, params: Params): void {
    const record = this.ctx.state.audits.find((a) => a.id === params.id);
    if (!record) throw GraphApiError.notFound(params.id ?? '');
    ex.sendJson(200, {
      '@odata.context': this.context('auditLogs/directoryAudits/$entity'),
      ...record,
    });
  }

  private listSubscriptions(ex: GraphExchange): void {
    const value = this.ctx.subscriptions.list().map((s) => ({ ...s, clientState: null }));
    ex.sendJson(200, { '@odata.context': this.context('subscriptions'), value });
  }

  private async createSubscription(ex: GraphExchange, principal: Principal): Promise<void> {
    const body = await ex.readJson();
    const creatorId = principal.kind === 'app' ? this.ctx.app.servicePrincipalId : principal.userId;
    const subscription = await this.ctx.subscriptions.create(body, creatorId);
    ex.sendJson(201, { '@odata.context': this.context('subscriptions/$entity'), ...subscription });
  }

  private getSubscription(ex: GraphExchange, params: Params): void {
    const subscription = this.ctx.subscriptions.get(params.id ?? '');
    ex.sendJson(200, {
      '@odata.context': this.context('subscriptions/$entity'),
      ...subscription,
      clientState: null,
    });
  }

  private async updateSubscription(ex: GraphExchange, params: Params): Promise<void> {
    const id = params.id ?? '';
    this.ctx.subscriptions.get(id);
    const subscription = this.ctx.subscriptions.update(id, await ex.readJson());
    ex.sendJson(200, {
      '@odata.context': this.context('subscriptions/$entity'),
      ...subscription,
      clientState: null,
    });
  }

  private deleteSubscription(ex: GraphExchange, params: Params): void {
    this.ctx.subscriptions.delete(params.id ?? '');
    ex.sendEmpty(204);
  }

  private reauthorize(ex: GraphExchange, params: Params): void {
    this.ctx.subscriptions.reauthorize(params.id ?? '');
    ex.sendEmpty(204);
  }
}
