import { GraphApiError } from './graph-api-error.js';
import type { GraphExchange } from './graph-exchange.js';
import { parseODataFilter, type FilterExpr } from './parse-odata-filter.js';
import { GROUP_PROPERTIES, parseSelect, projectGroup } from './project-directory-object.js';
import type { SimGroup } from './seed-tenant.js';
import type { TenantState } from './tenant-state.js';

export type DeltaTokenExpiry = 'gone410' | 'syncStateNotFound' | 'resyncRequired';

/** Which tokens still work: those of the current epoch; older epochs fail as `expiries` says. */
export interface DeltaGeneration {
  epoch: number;
  expiries: DeltaTokenExpiry[];
}

/** Query options fixed at the first call and carried by every token after it. */
interface DeltaQuery {
  /** Filtered group ids, or null for all groups. */
  f: string[] | null;
  /** $select, or null for default properties. */
  s: string[] | null;
}

interface TokenHeader extends DeltaQuery {
  v: 1;
  /** Simulator instance. */
  i: string;
  /** Token epoch; expireDeltaTokens() moves the current epoch on. */
  e: number;
}

interface DeltaToken extends TokenHeader {
  k: 'delta';
  p: number;
}

interface SkipToken extends TokenHeader {
  k: 'skip';
  /** Change-log range (from, to]; from null means a full sync as of `to`. */
  from: number | null;
  to: number;
  /** Cursor: group index and member-entry index within it. */
  g: number;
  m: number;
}

interface MemberEntry {
  '@odata.type': string;
  id: string;
  '@removed'?: { reason: 'deleted' };
}

/** Small pages so clients must follow nextLink; a big group spans several pages. */
const MAX_GROUPS_PER_PAGE = 5;
const MAX_MEMBER_ENTRIES_PER_PAGE = 20;
const MAX_FILTER_IDS = 50;

function encode(token: DeltaToken | SkipToken): string {
  return Buffer.from(JSON.stringify(token)).toString('base64url');
}

function decode(raw: string): DeltaToken | SkipToken | undefined {
  try {
    const value = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as unknown;
    if (typeof value !== 'object' || value === null) return undefined;
    const t = value as Record<string, unknown>;
    const strings = (x: unknown): boolean =>
      x === null || (Array.isArray(x) && x.every((y) => typeof y === 'string'));
    if (t.v !== 1 || typeof t.i !== 'string' || typeof t.e !== 'number') return undefined;
    if (!strings(t.f) || !strings(t.s)) return undefined;
    if (t.k === 'delta' && typeof t.p === 'number') return t as unknown as DeltaToken;
    const from = t.from === null || typeof t.from === 'number';
    if (
      t.k === 'skip' &&
      from &&
      typeof t.to === 'number' &&
      typeof t.g === 'number' &&
      typeof t.m === 'number'
    ) {
      return t as unknown as SkipToken;
    }
    return undefined;
  } catch {
    return undefined;
  }
}

function filterIds(expr: FilterExpr, into: string[]): string[] {
  if (expr.kind === 'or') {
    filterIds(expr.left, into);
    filterIds(expr.right, into);
    return into;
  }
  if (
    expr.kind === 'compare' &&
    expr.op === 'eq' &&
    expr.path.length === 1 &&
    expr.path[0]?.toLowerCase() === 'id' &&
    expr.value.type === 'string'
  ) {
    into.push(expr.value.value.toLowerCase());
    return into;
  }
  throw GraphApiError.badRequest(
    "Unsupported query: groups delta supports only $filter=id eq '{id}', combined with 'or'.",
    'Request_UnsupportedQuery',
  );
}

/** GET /groups/delta, per graph.md §4: full sync, rounds from a token, paging, expiry. */
export class GroupsDelta {
  private epoch: number;
  private readonly expiries: DeltaTokenExpiry[];

  constructor(
    private readonly state: TenantState,
    private readonly instanceId: string,
    private readonly baseUrl: () => string,
    generation: DeltaGeneration = { epoch: 0, expiries: [] },
  ) {
    this.epoch = generation.epoch;
    this.expiries = [...generation.expiries];
  }

  get generation(): DeltaGeneration {
    return { epoch: this.epoch, expiries: [...this.expiries] };
  }

  /** Every token issued so far stops working, failing the way `kind` says. */
  expireAll(kind: DeltaTokenExpiry): void {
    this.expiries[this.epoch] = kind;
    this.epoch++;
  }

  handle(ex: GraphExchange): void {
    const skip = ex.query.get('$skiptoken');
    const delta = ex.query.get('$deltatoken');
    if (skip !== undefined) {
      const token = this.check(skip, 'skip');
      this.page(ex, token);
      return;
    }
    if (delta !== undefined && delta !== '') {
      if (delta.toLowerCase() === 'latest') {
        const query = this.query(ex);
        ex.sendJson(200, {
          '@odata.context': this.context(query),
          '@odata.deltaLink': this.link('$deltatoken', this.token(query, this.state.position)),
          value: [],
        });
        return;
      }
      const token = this.check(delta, 'delta');
      this.page(ex, { ...token, k: 'skip', from: token.p, to: this.state.position, g: 0, m: 0 });
      return;
    }
    const query = this.query(ex);
    this.page(ex, {
      ...this.header(query),
      k: 'skip',
      from: null,
      to: this.state.position,
      g: 0,
      m: 0,
    });
  }

  private header(query: DeltaQuery): TokenHeader {
    return { v: 1, i: this.instanceId, e: this.epoch, f: query.f, s: query.s };
  }

  private token(query: DeltaQuery, position: number): string {
    return encode({ ...this.header(query), k: 'delta', p: position });
  }

  private link(name: '$deltatoken' | '$skiptoken', value: string): string {
    return `${this.baseUrl()}/v1.0/groups/delta?${name}=${value}`;
  }

  private context(query: DeltaQuery): string {
    return `${this.baseUrl()}/v1.0/$metadata#groups${query.s ? `(${query.s.join(',')})` : ''}`;
  }

  private query(ex: GraphExchange): DeltaQuery {
    const s = parseSelect(
      ex.query.get('$select'),
      [...GROUP_PROPERTIES, 'members'],
      'microsoft.graph.group',
    );
    const rawFilter = ex.query.get('$filter');
    let f: string[] | null = null;
    if (rawFilter !== undefined && rawFilter.trim() !== '') {
      f = [...new Set(filterIds(parseODataFilter(rawFilter), []))];
      if (f.length > MAX_FILTER_IDS) {
        throw GraphApiError.badRequest(
          `Too many ids in the $filter clause: ${f.length}. Groups delta accepts at most ${MAX_FILTER_IDS}.`,
          'Request_UnsupportedQuery',
        );
      }
    }
    return { f, s };
  }

  private check(raw: string, kind: 'delta'): DeltaToken;
  private check(raw: string, kind: 'skip'): SkipToken;
  private check(raw: string, kind: 'delta' | 'skip'): DeltaToken | SkipToken {
    const token = decode(raw);
    if (!token || token.k !== kind) {
      throw GraphApiError.badRequest(`The ${kind} token is malformed.`, 'BadRequest');
    }
    if (token.i !== this.instanceId) this.fail('gone410', token);
    if (token.e < this.epoch) this.fail(this.expiries[token.e] ?? 'syncStateNotFound', token);
    return token;
  }

  private fail(kind: DeltaTokenExpiry, query: DeltaQuery): never {
    if (kind === 'gone410') {
      const params: string[] = [];
      const enc = (v: string): string => encodeURIComponent(v).replace(/%2C/g, ',');
      if (query.s) params.push(`$select=${enc(query.s.join(','))}`);
      if (query.f) params.push(`$filter=${enc(query.f.map((id) => `id eq '${id}'`).join(' or '))}`);
      params.push('$deltatoken=');
      throw new GraphApiError(
        410,
        'syncStateNotFound',
        'The sync state was reset. Start a new full sync from the URL in the Location header.',
        { Location: `${this.baseUrl()}/v1.0/groups/delta?${params.join('&')}` },
      );
    }
    if (kind === 'resyncRequired') {
      throw GraphApiError.badRequest(
        'The delta token is no longer valid, and the app must reset the sync state.',
        'resyncRequired',
      );
    }
    throw GraphApiError.badRequest(
      'The sync state generation is not found. The delta token is expired or invalid.',
      'syncStateNotFound',
    );
  }

  private items(token: SkipToken): Array<{ group: SimGroup; entries: MemberEntry[] }> {
    const groups = [...this.state.groups.values()].filter(
      (g) => !token.f || token.f.includes(g.id),
    );
    const entry = (id: string, removed: boolean): MemberEntry => ({
      '@odata.type': this.state.groups.has(id) ? '#microsoft.graph.group' : '#microsoft.graph.user',
      id,
      ...(removed ? { '@removed': { reason: 'deleted' as const } } : {}),
    });
    if (token.from === null) {
      const to = token.to;
      return groups.map((group) => ({
        group,
        entries: [...this.state.membersAt(group.id, to)].sort().map((id) => entry(id, false)),
      }));
    }
    const changes = this.state.changesBetween(token.from, token.to);
    const items: Array<{ group: SimGroup; entries: MemberEntry[] }> = [];
    for (const group of groups) {
      const touched = changes.filter((c) => c.groupId === group.id).map((c) => c.memberId);
      if (touched.length === 0) continue;
      const before = this.state.membersAt(group.id, token.from);
      const after = this.state.membersAt(group.id, token.to);
      const entries = [...new Set(touched)]
        .filter((id) => before.has(id) !== after.has(id))
        .map((id) => entry(id, before.has(id)));
      items.push({ group, entries });
    }
    return items;
  }

  private page(ex: GraphExchange, token: SkipToken): void {
    const items = this.items(token);
    const withMembers = token.s?.includes('members') ?? false;
    const select = token.s?.filter((p) => p !== 'members') ?? null;
    const value: Array<Record<string, unknown>> = [];
    let { g, m } = token;
    let budget = MAX_MEMBER_ENTRIES_PER_PAGE;
    while (g < items.length && value.length < MAX_GROUPS_PER_PAGE) {
      const item = items[g];
      if (!item) break;
      const group = projectGroup(item.group, select);
      if (!withMembers) {
        value.push(group);
        g++;
        continue;
      }
      const remaining = item.entries.length - m;
      const take = Math.min(remaining, budget);
      if (take === 0 && remaining > 0) break;
      value.push({ ...group, 'members@delta': item.entries.slice(m, m + take) });
      budget -= take;
      if (m + take < item.entries.length) {
        m += take;
        break;
      }
      g++;
      m = 0;
    }
    const body: Record<string, unknown> = { '@odata.context': this.context(token) };
    if (g < items.length) {
      body['@odata.nextLink'] = this.link('$skiptoken', encode({ ...token, g, m }));
    } else {
      body['@odata.deltaLink'] = this.link('$deltatoken', this.token(token, token.to));
    }
    body.value = value;
    ex.sendJson(200, body);
  }
}
