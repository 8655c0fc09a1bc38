import http from 'node:http';
import https from 'node:https';

export interface WebhookResponse {
  status: number;
  contentType: string;
  body: string;
}

const MAX_RESPONSE_BYTES = 64 * 1024;

/** One POST to a subscriber's URL; rejects on network error, timeout or abort. */
export function postWebhook(
  url: URL,
  options: { body: string; contentType: string; timeoutMs: number; signal: AbortSignal },
): Promise<WebhookResponse> {
  return new Promise((resolve, reject) => {
    const client = url.protocol === 'https:' ? https : http;
    const request = client.request(url, {
      method: 'POST',
      headers: {
        'Content-Type': options.contentType,
        'Content-Length': Buffer.byteLength(options.body),
        'User-Agent': 'Microsoft-Graph-Simulator/1.0',
      },
      signal: options.signal,
      agent: false,
    });
    const timer = setTimeout(() => {
      request.destroy(new Error(`no response within ${options.timeoutMs} ms`));
    }, options.timeoutMs);
    const finish = (fn: () => void): void => {
      clearTimeout(timer);
      fn();
    };
    request.on('error', (error) => finish(() => reject(error)));
    request.on('response', (response) => {
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size <= MAX_RESPONSE_BYTES) chunks.push(chunk);
      });
      response.on('error', (error) => finish(() => reject(error)));
      response.on('close', () => {
        if (!response.complete) finish(() => reject(new Error('response aborted')));
      });
      response.on('end', () =>
        finish(() =>
          resolve({
            status: response.statusCode ?? 0,
            contentType: String(response.headers['content-type'] ?? ''),
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        ),
      );
    });
    request.end(options.body);
  });
}
