import type { Request, Response } from 'restify';
import type { Logger } from '../observability/logger.js';
import {
  InvalidNotificationError,
  parseChangeNotifications,
  type ChangeNotification,
} from './parse-change-notifications.js';
import { HttpError, readJsonBody } from './read-json-body.js';

export const MAX_VALIDATION_TOKEN_LENGTH = 1024;

/**
 * Graph's webhook contract: `?validationToken=` is echoed decoded as text/plain within 10 s;
 * anything else is a JSON notification collection, answered with `accept`'s status (202 once
 * persisted), 5xx only when it could not be persisted (so Graph retries).
 */
export function graphWebhookRoute(
  log: Logger,
  accept: (notifications: ChangeNotification[]) => Promise<number>,
) {
  return async (req: Request, res: Response): Promise<void> => {
    try {
      const token = new URL(req.url ?? '/', 'http://localhost').searchParams.get('validationToken');
      if (token !== null) {
        if (token.length === 0 || token.length > MAX_VALIDATION_TOKEN_LENGTH) {
          throw new HttpError(
            400,
            'InvalidValidationToken',
            `validationToken must be 1 to ${MAX_VALIDATION_TOKEN_LENGTH} characters`,
          );
        }
        res.writeHead(200, {
          'content-type': 'text/plain; charset=utf-8',
          'x-content-type-options': 'nosniff',
        });
        res.end(token);
        return;
      }
      const payload = await readJsonBody(req);
      let notifications: ChangeNotification[];
      try {
        notifications = parseChangeNotifications(payload);
      } catch (error) {
        if (!(error instanceof InvalidNotificationError)) throw error;
        throw new HttpError(400, 'InvalidNotification', error.message);
      }
      const status = await accept(notifications);
      res.writeHead(status);
      res.end();
    } catch (error) {
      if (error instanceof HttpError) {
        res.writeHead(error.status, {
          'content-type': 'application/json',
          ...(error.status === 413 ? { connection: 'close' } : {}),
        });
        res.end(JSON.stringify({ error: { code: error.code, message: error.message } }));
        return;
      }
      log.error({ err: error, path: req.path() }, 'graph notification could not be persisted');
      res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '5' });
      res.end(
        JSON.stringify({
          error: { code: 'ServiceUnavailable', message: 'could not persist, retry later' },
        }),
      );
    }
  };
}
