import { GraphApiError } from './graph-api-error.js';

/** Requests to one route that the simulator holds back or throttles until a test releases them. */
export interface HeldRoute {
  /** Requests that reached the route while it was held (waiting or throttled). */
  readonly arrived: number;
  /** Resolves once `count` requests have reached the route. */
  arrivals(count: number): Promise<void>;
  /** Lets waiting requests and every later one through; throttling stops. */
  release(): void;
}

export interface HoldOptions {
  /**
   * Instead of holding requests, answer each with 429 and this Retry-After, as Graph does under
   * throttling (MGDC concepts/throttling.md): a storm that lasts until release.
   */
  throttleRetryAfterSeconds?: number;
}

interface Gate {
  method: string;
  pattern: string[];
  retryAfterSeconds: number | null;
  arrived: number;
  released: boolean;
  waiting: Array<() => void>;
  watchers: Array<{ count: number; resolve: () => void }>;
}

const matches = (pattern: string[], segments: string[]): boolean =>
  pattern.length === segments.length &&
  pattern.every((p, i) => p.startsWith(':') || p.toLowerCase() === segments[i]?.toLowerCase());

/**
 * Gates on chosen routes, so a test can make Graph slow or throttled exactly where it wants and
 * await what arrived, without sleeping. A request passes every gate before Graph acts on it.
 */
export class RequestGates {
  private readonly gates = new Set<Gate>();
  private readonly counts = new Map<string, number>();

  /** How many requests reached this exact path (under /v1.0, ids included), e.g. `groups/<id>`. */
  count(method: string, path: string): number {
    return (
      this.counts.get(`${method.toUpperCase()} ${path.replace(/^\/+/, '').toLowerCase()}`) ?? 0
    );
  }

  /** `path` is a route under /v1.0 with `:name` for ids, e.g. `groups/:id/members/$ref`. */
  hold(method: string, path: string, options: HoldOptions = {}): HeldRoute {
    const gate: Gate = {
      method: method.toUpperCase(),
      pattern: path.replace(/^\/+/, '').split('/'),
      retryAfterSeconds: options.throttleRetryAfterSeconds ?? null,
      arrived: 0,
      released: false,
      waiting: [],
      watchers: [],
    };
    this.gates.add(gate);
    return {
      get arrived() {
        return gate.arrived;
      },
      arrivals: (count) =>
        gate.arrived >= count
          ? Promise.resolve()
          : new Promise<void>((resolve) => gate.watchers.push({ count, resolve })),
      release: () => this.open(gate),
    };
  }

  /** Waits while a gate holds this request; throws Graph's 429 while a gate throttles it. */
  async pass(method: string, segments: string[]): Promise<void> {
    const key = `${method.toUpperCase()} ${segments.join('/').toLowerCase()}`;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    for (const gate of this.gates) {
      if (gate.method !== method.toUpperCase() || !matches(gate.pattern, segments)) continue;
      gate.arrived++;
      for (const watcher of gate.watchers.filter((w) => w.count <= gate.arrived)) {
        gate.watchers.splice(gate.watchers.indexOf(watcher), 1);
        watcher.resolve();
      }
      if (gate.retryAfterSeconds !== null) throw throttled(gate.retryAfterSeconds);
      await new Promise<void>((resolve) => gate.waiting.push(resolve));
    }
  }

  /** Lets everything through; the simulator stops with no request left waiting. */
  releaseAll(): void {
    for (const gate of this.gates) this.open(gate);
  }

  private open(gate: Gate): void {
    if (gate.released) return;
    gate.released = true;
    this.gates.delete(gate);
    for (const resolve of gate.waiting.splice(0)) resolve();
  }
}

/** Graph's 429 (MGDC concepts/throttling.md, reference/graph.md §10). */
function throttled(retryAfterSeconds: number): GraphApiError {
  return new GraphApiError(
    429,
    'TooManyRequests',
    'Please retry again later.',
    { 'Retry-After': String(retryAfterSeconds), 'x-ms-throttle-information': 'WriteLimitExceeded' },
    { code: '429', message: 'Please retry after', status: '429' },
  );
}
