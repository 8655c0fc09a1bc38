import { startGroupGuard, type GroupGuardUnderTest } from '../e2e/start-groupguard';

const TOKEN = 'metrics-token-4f9c2a7e1b3d5f60';

describe('hostile: reading /metrics and /readyz from the public listener', () => {
  let gg: GroupGuardUnderTest;

  beforeAll(async () => {
    gg = await startGroupGuard({ METRICS_PORT: '0', METRICS_TOKEN: TOKEN });
  });
  afterAll(async () => {
    await gg?.stop();
  });

  const get = (base: string | null, path: string, authorization?: string) =>
    fetch(`${base}${path}`, { headers: authorization ? { authorization } : {} });

  it('serves neither on the bot’s own port once METRICS_PORT is set', async () => {
    expect(gg.operationsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(gg.operationsUrl).not.toBe(gg.url);
    for (const path of ['/metrics', '/readyz']) {
      const response = await get(gg.url, path, `Bearer ${TOKEN}`);
      expect(response.status).toBe(404);
      expect(await response.text()).not.toContain('groupguard_');
    }
  });

  it.each([
    ['no Authorization header', undefined],
    ['a wrong token', 'Bearer metrics-token-000000000000'],
    ['a prefix of the token', `Bearer ${TOKEN.slice(0, 8)}`],
    ['the token under another scheme', `Basic ${TOKEN}`],
    ['an empty bearer token', 'Bearer '],
  ])('answers %s on METRICS_PORT with 401 and no figures', async (_what, authorization) => {
    for (const path of ['/metrics', '/readyz']) {
      const response = await get(gg.operationsUrl, path, authorization);
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('Bearer');
      const body = await response.text();
      expect(body).not.toContain('groupguard_');
      expect(body).not.toContain('subscription');
    }
  });

  it('serves both to the bearer of METRICS_TOKEN', async () => {
    const metrics = await get(gg.operationsUrl, '/metrics', `Bearer ${TOKEN}`);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toContain('groupguard_notifications_accepted_total');
    const ready = await get(gg.operationsUrl, '/readyz', `Bearer ${TOKEN}`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ ready: true, checks: { subscription: 'ok' } });
  });

  it('keeps /healthz, which says nothing, on the bot’s port for the orchestrator', async () => {
    expect((await get(gg.url, '/healthz')).status).toBe(200);
  });
});
