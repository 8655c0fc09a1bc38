import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { GraphApiError } from './graph-api-error.js';

export const MAX_BODY_BYTES = 1024 * 1024;

const GRAPH_JSON =
  'application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8';

/** One HTTP request/response pair, with Graph's headers, query parsing and error body. */
export class GraphExchange {
  readonly requestId = randomUUID();
  readonly clientRequestId: string;
  readonly method: string;
  readonly segments: string[];
  readonly query = new Map<string, string>();
  /** Set when the query string itself is invalid; routes report it before anything else. */
  parseError: GraphApiError | undefined;
  private bodyPromise: Promise<string> | undefined;

  constructor(
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
  ) {
    const given = req.headers['client-request-id'];
    this.clientRequestId =
      typeof given === 'string' && /^[\w.-]{1,100}$/.test(given) ? given : randomUUID();
    this.method = (req.method ?? 'GET').toUpperCase();
    const raw = req.url ?? '/';
    const q = raw.indexOf('?');
    const path = q === -1 ? raw : raw.slice(0, q);
    this.segments = path
      .split('/')
      .filter((s) => s.length > 0)
      .map((s) => {
        try {
          return decodeURIComponent(s);
        } catch {
          return s;
        }
      });
    if (q !== -1) {
      for (const [key, value] of new URLSearchParams(raw.slice(q + 1))) {
        const k = key.toLowerCase();
        if (this.query.has(k)) {
          this.parseError = GraphApiError.badRequest(
            `Query option '${key}' was specified more than once, but it must be specified at most once.`,
            'BadRequest',
          );
        }
        this.query.set(k, value);
      }
    }
  }

  header(name: string): string | undefined {
    const value = this.req.headers[name.toLowerCase()];
    return Array.isArray(value) ? value[0] : value;
  }

  readBody(): Promise<string> {
    this.bodyPromise ??= new Promise<string>((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      this.req.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_BODY_BYTES) {
          this.req.removeAllListeners('data');
          this.res.setHeader('Connection', 'close');
          this.res.once('finish', () => this.req.destroy());
          reject(
            new GraphApiError(
              413,
              'RequestEntityTooLarge',
              `The request body exceeds the maximum of ${MAX_BODY_BYTES} bytes.`,
            ),
          );
          return;
        }
        chunks.push(chunk);
      });
      this.req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      this.req.on('error', reject);
    });
    return this.bodyPromise;
  }

  async readJson(): Promise<unknown> {
    const text = await this.readBody();
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw GraphApiError.badRequest(
        'Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.',
        'BadRequest',
      );
    }
  }

  private baseHeaders(extra: Record<string, string>): Record<string, string> {
    return {
      'request-id': this.requestId,
      'client-request-id': this.clientRequestId,
      ...extra,
    };
  }

  sendJson(status: number, body: unknown, headers: Record<string, string> = {}): void {
    if (this.res.headersSent) return;
    const text = JSON.stringify(body);
    this.res.writeHead(
      status,
      this.baseHeaders({ 'Content-Type': GRAPH_JSON, 'OData-Version': '4.0', ...headers }),
    );
    this.res.end(text);
  }

  sendEmpty(status: number, headers: Record<string, string> = {}): void {
    if (this.res.headersSent) return;
    this.res.writeHead(status, this.baseHeaders(headers));
    this.res.end();
  }

  /** For Entra's token endpoint, whose bodies are not Graph-shaped. */
  sendPlainJson(status: number, body: unknown): void {
    if (this.res.headersSent) return;
    this.res.writeHead(
      status,
      this.baseHeaders({
        'Content-Type': 'application/json; charset=utf-8',
        'Cache-Control': 'no-store',
      }),
    );
    this.res.end(JSON.stringify(body));
  }

  sendError(error: GraphApiError): void {
    this.sendJson(
      error.status,
      {
        error: {
          code: error.code,
          message: error.message,
          innerError: {
            ...error.innerError,
            date: new Date().toISOString().slice(0, 19),
            'request-id': this.requestId,
            'client-request-id': this.clientRequestId,
          },
        },
      },
      error.headers,
    );
  }
}
