import restify, { type Server } from 'restify';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import {
  sameSecret,
  type AcceptResult,
  type IncomingNotification,
} from '../workflows/accept-notifications.js';
import type { Readiness } from '../workflows/check-readiness.js';
import type { LifecycleEvents } from '../workflows/handle-lifecycle-events.js';
import { graphWebhookRoute } from './graph-webhook-route.js';
import { groupIdOf } from './parse-change-notifications.js';
import { HttpError, readJsonBody } from './read-json-body.js';

export interface HttpHandlers {
  log: Logger;
  metrics: Metrics;
  processTeamsRequest(req: restify.Request, res: restify.Response): Promise<void>;
  acceptNotifications(notifications: IncomingNotification[]): Promise<AcceptResult>;
  lifecycleEvents: Pick<LifecycleEvents, 'accept'>;
  readiness(): Promise<Readiness>;
  /** Demo only (no bot authentication): the Host headers answered; others are DNS rebinding. */
  hostAllowed: ((host: string) => boolean) | null;
  /** METRICS_TOKEN: /metrics and /readyz want it as a bearer token. */
  operationsToken: string | null;
  /** METRICS_PORT set: /metrics and /readyz are served by `operations` only. */
  separateOperations: boolean;
}

export interface HttpServers {
  server: Server;
  operations: Server | null;
}

/** /readyz and /metrics, behind METRICS_TOKEN when one is set. */
function addOperationsRoutes(server: Server, h: HttpHandlers): void {
  const token = h.operationsToken;
  const authorized = (req: restify.Request, res: restify.Response): boolean => {
    if (token === null) return true;
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    // Compared even when absent, so the answer takes as long either way.
    if (sameSecret(bearer ?? '', token) && bearer !== undefined) return true;
    res.header('www-authenticate', 'Bearer');
    res.send(401, {
      error: { code: 'Unauthorized', message: 'Send METRICS_TOKEN as a bearer token.' },
    });
    return false;
  };
  server.get('/readyz', async (req: restify.Request, res: restify.Response) => {
    if (!authorized(req, res)) return;
    const readiness = await h.readiness();
    res.send(readiness.ready ? 200 : 503, readiness);
  });
  server.get('/metrics', async (req: restify.Request, res: restify.Response) => {
    if (!authorized(req, res)) return;
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
    res.end(h.metrics.render());
  });
}

export function createHttpServer(h: HttpHandlers): HttpServers {
  const countAccepted = h.metrics.counter(
    'groupguard_notifications_accepted_total',
    'Graph change notifications persisted',
  );
  const countForged = h.metrics.counter(
    'groupguard_notifications_forged_total',
    'Notifications refused for a wrong clientState',
  );
  const server = restify.createServer({ name: 'groupguard', handleUncaughtExceptions: false });
  const allowed = h.hostAllowed;
  if (allowed) {
    server.pre((req: restify.Request, res: restify.Response, next: restify.Next) => {
      if (allowed(req.headers.host ?? '')) return next();
      res.send(403, {
        error: {
          code: 'HostNotAllowed',
          message: 'The demo answers only at 127.0.0.1 or localhost.',
        },
      });
      return next(false);
    });
  }
  server.on(
    'restifyError',
    (
      req: restify.Request,
      _res: restify.Response,
      err: Error & { statusCode?: number },
      next: (e?: unknown) => void,
    ) => {
      if ((err.statusCode ?? 500) >= 500) h.log.error({ err, path: req.path() }, 'request failed');
      next();
    },
  );

  server.post('/api/messages', async (req: restify.Request, res: restify.Response) => {
    try {
      req.body = await readJsonBody(req);
    } catch (error) {
      if (!(error instanceof HttpError)) throw error;
      res.send(error.status, { error: { code: error.code, message: error.message } });
      return;
    }
    try {
      await h.processTeamsRequest(req, res);
    } catch (error) {
      // botbuilder validates the activity's shape before its own error handling starts.
      h.log.warn({ err: error }, 'teams request refused: not an activity');
      if (!res.headersSent) {
        res.send(400, { error: { code: 'BadActivity', message: 'The body is not an activity.' } });
      }
    }
  });
  server.post(
    '/api/graph/notifications',
    graphWebhookRoute(h.log, async (notifications) => {
      const result = await h.acceptNotifications(
        notifications.map((n) => ({
          subscriptionId: n.subscriptionId,
          clientState: n.clientState ?? null,
          tenantId: n.tenantId ?? null,
          groupId: groupIdOf(n),
        })),
      );
      // Answered like an unknown subscription, so a probe cannot tell a known id by its answer.
      if (result.kind === 'forged') {
        countForged();
        h.log.warn({ reason: result.reason }, 'notification refused');
        return 202;
      }
      for (let i = 0; i < result.persisted; i++) countAccepted();
      return 202;
    }),
  );
  server.post(
    '/api/graph/lifecycle',
    graphWebhookRoute(h.log, async (notifications) => {
      const { forged } = await h.lifecycleEvents.accept(
        notifications.map((n) => ({
          subscriptionId: n.subscriptionId,
          clientState: n.clientState ?? null,
          lifecycleEvent: n.lifecycleEvent ?? null,
        })),
      );
      if (forged) {
        countForged();
        h.log.warn({}, 'lifecycle notification refused: clientState does not match');
      }
      return 202;
    }),
  );

  server.get('/healthz', async (_req: restify.Request, res: restify.Response) => {
    res.send(200, { status: 'ok' });
  });
  let operations: Server | null = null;
  if (h.separateOperations) {
    operations = restify.createServer({
      name: 'groupguard-operations',
      handleUncaughtExceptions: false,
    });
    addOperationsRoutes(operations, h);
  } else addOperationsRoutes(server, h);
  return { server, operations };
}
