import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Round-robin HTTP proxy in front of the bot replicas, as a real deployment has: Graph posts to
 * one public URL whichever replica is alive. A dead backend is skipped; none alive → 502.
 */
export async function startLoadBalancer(backends: () => string[]) {
  let next = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const candidates = backends();
      const attempt = (tries: number) => {
        if (tries >= candidates.length) {
          res.writeHead(502).end();
          return;
        }
        const target = new URL(req.url ?? '/', candidates[(next++ + tries) % candidates.length]);
        const upstream = http.request(
          target,
          { method: req.method, headers: { ...req.headers, host: target.host }, timeout: 5000 },
          (up) => {
            res.writeHead(up.statusCode ?? 502, up.headers);
            up.pipe(res);
          },
        );
        upstream.on('error', () => attempt(tries + 1));
        upstream.on('timeout', () => upstream.destroy(new Error('timeout')));
        upstream.end(body);
      };
      attempt(0);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
