import restify, { type Server } from 'restify';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import { graphWebhookRoute } from './graph-webhook-route.js';
import { HttpError, readJsonBody } from './read-json-body.js';

export interface Readiness {
  ready: boolean;
  checks: Record<string, string>;
}

export interface HttpHandlers {
  log: Logger;
  metrics: Metrics;
  processTeamsRequest(req: restify.Request, res: restify.Response): Promise<void>;
  /** Returns the HTTP status to answer (202, 403). */
  acceptNotifications(payload: unknown): Promise<number>;
  acceptLifecycleNotifications(payload: unknown): Promise<number>;
  readiness(): Promise<Readiness>;
}

export function createHttpServer(h: HttpHandlers): Server {
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
  server.post('/api/graph/notifications', graphWebhookRoute(h.log, h.acceptNotifications));
  server.post('/api/graph/lifecycle', graphWebhookRoute(h.log, h.acceptLifecycleNotifications));

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
