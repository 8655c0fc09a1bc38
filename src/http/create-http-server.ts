import restify, { type Server } from 'restify';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import type { AcceptResult, IncomingNotification } from '../workflows/accept-notifications.js';
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
}

export function createHttpServer(h: HttpHandlers): Server {
  const countAccepted = h.metrics.counter(
    'groupguard_notifications_accepted_total',
    'Graph change notifications persisted',
  );
  const countForged = h.metrics.counter(
    'groupguard_notifications_forged_total',
    'Notifications refused for a wrong clientState',
  );
  const server = restify.createServer({ name: 'groupguard', handleUncaughtExceptions: false });
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
      if (result.kind === 'forged') {
        countForged();
        h.log.warn({ reason: result.reason }, 'notification refused');
        return 403;
      }
      for (let i = 0; i < result.persisted; i++) countAccepted();
      return 202;
    }),
  );
  server.post(
    '/api/graph/lifecycle',
    graphWebhookRoute(h.log, async (notifications) => {
      const { status } = await h.lifecycleEvents.accept(
        notifications.map((n) => ({
          subscriptionId: n.subscriptionId,
          clientState: n.clientState ?? null,
          lifecycleEvent: n.lifecycleEvent ?? null,
        })),
      );
      if (status === 403) countForged();
      return status;
    }),
  );

  server.get('/healthz', async (_req: restify.Request, res: restify.Response) => {
    res.send(200, { status: 'ok' });
  });
  server.get('/readyz', async (_req: restify.Request, res: restify.Response) => {
    const readiness = await h.readiness();
    res.send(readiness.ready ? 200 : 503, readiness);
  });
  server.get('/metrics', async (_req: restify.Request, res: restify.Response) => {
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
    res.end(h.metrics.render());
  });
  return server;
}
