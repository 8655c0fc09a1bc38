import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent } from 'undici';
import type { GraphSimulator } from '../../../src/sim/graph-simulator.js';

export interface ApiResponse {
  status: number;
  headers: Headers;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

/** Talks to a simulator over real HTTPS, trusting only its certificate. */
export class SimTestClient {
  readonly agent: Agent;

  constructor(readonly sim: GraphSimulator) {
    this.agent = new Agent({ connect: { ca: sim.ca } });
  }

  fetch(pathOrUrl: string, init: RequestInit = {}): Promise<Response> {
    const url = pathOrUrl.startsWith('https://') ? pathOrUrl : `${this.sim.url}${pathOrUrl}`;
    return fetch(url, { ...init, dispatcher: this.agent } as RequestInit);
  }

  async tokenResponse(form: Record<string, string>): Promise<ApiResponse> {
    const response = await this.fetch(`/${this.sim.tenantId}/oauth2/v2.0/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form),
    });
    return { status: response.status, headers: response.headers, body: await response.json() };
  }

  async appToken(): Promise<string> {
    const r = await this.tokenResponse({
      grant_type: 'client_credentials',
      client_id: this.sim.credentials.clientId,
      client_secret: this.sim.credentials.clientSecret,
      scope: 'https://graph.microsoft.com/.default',
    });
    if (r.status !== 200) throw new Error(`token ${r.status}`);
    return r.body.access_token as string;
  }

  async userToken(username: string): Promise<string> {
    const r = await this.tokenResponse({
      grant_type: 'password',
      username,
      password: this.sim.adminPassword,
      client_id: this.sim.credentials.clientId,
      client_secret: this.sim.credentials.clientSecret,
      scope: 'https://graph.microsoft.com/.default',
    });
    if (r.status !== 200) throw new Error(`token ${r.status}`);
    return r.body.access_token as string;
  }

  async call(
    method: string,
    pathOrUrl: string,
    options: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
  ): Promise<ApiResponse> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    let body: string | undefined;
    if (options.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
    }
    const response = await this.fetch(pathOrUrl, { method, headers, body });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = text;
    }
    return { status: response.status, headers: response.headers, body: parsed };
  }

  /** Follows nextLinks to the end; returns every page. */
  async pages(path: string, token: string): Promise<ApiResponse[]> {
    const pages: ApiResponse[] = [];
    let next: string | undefined = path;
    while (next) {
      const page = await this.call('GET', next, { token });
      if (page.status !== 200) throw new Error(`page ${page.status} ${JSON.stringify(page.body)}`);
      pages.push(page);
      next = page.body['@odata.nextLink'];
    }
    return pages;
  }

  close(): Promise<void> {
    return this.agent.close();
  }
}

export interface ReceivedRequest {
  url: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
}

export type ReceiverReply = {
  status: number;
  contentType?: string;
  body?: string;
  delayMs?: number;
};

export interface Receiver {
  url: string;
  requests: ReceivedRequest[];
  /** Notification POSTs only (not validation handshakes). */
  notifications(): ReceivedRequest[];
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedRequest[]>;
  close(): Promise<void>;
}

/** Echoes the validation token like a well-behaved endpoint; `reply` overrides per request. */
export function echoValidation(request: ReceivedRequest): ReceiverReply {
  const token = request.query.get('validationToken');
  if (token !== null) return { status: 200, contentType: 'text/plain', body: token };
  return { status: 202 };
}

export async function startReceiver(
  reply: (request: ReceivedRequest, index: number) => ReceiverReply = echoValidation,
): Promise<Receiver> {
  const requests: ReceivedRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = req.url ?? '/';
      const request: ReceivedRequest = {
        url,
        query: new URL(url, 'http://127.0.0.1').searchParams,
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        at: Date.now(),
      };
      requests.push(request);
      const answer = reply(request, requests.length - 1);
      const send = (): void => {
        if (res.destroyed) return;
        res.writeHead(
          answer.status,
          answer.contentType ? { 'content-type': answer.contentType } : {},
        );
        res.end(answer.body ?? '');
      };
      if (answer.delayMs) setTimeout(send, answer.delayMs);
      else send();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const notifications = (): ReceivedRequest[] =>
    requests.filter((r) => r.query.get('validationToken') === null);
  return {
    url: `http://127.0.0.1:${port}/notify`,
    requests,
    notifications,
    async waitFor(count, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      while (notifications().length < count) {
        if (Date.now() > deadline) {
          throw new Error(`expected ${count} notifications, got ${notifications().length}`);
        }
        await new Promise((r) => setTimeout(r, 10));
      }
      return notifications();
    },
    close() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
