import { SEED } from '../../src/sim/seed-tenant';
import { metricValue, startGroupGuard, type GroupGuardUnderTest } from '../e2e/start-groupguard';
import { groupChangeNotification } from '../fakes/graph-notifications';

/** Rows of [what, input, status] as [what, status, input], so test titles read well. */
const byTitle = <T>(rows: Array<[string, T, number]>) =>
  rows.map(([what, input, status]) => [what, status, input] as const);

const notification = (subscriptionId: string, clientState: string | undefined) =>
  groupChangeNotification({ subscriptionId, clientState, groupId: SEED.groups.tier0 });

describe('hostile input: the Graph webhook', () => {
  let gg: GroupGuardUnderTest;
  let subscriptionId = '';
  let clientState = '';

  beforeAll(async () => {
    gg = await startGroupGuard();
    const subscription = await gg.app.store.getSubscription();
    subscriptionId = subscription?.id ?? '';
    clientState = subscription?.clientState ?? '';
  });
  afterAll(async () => {
    await gg?.stop();
  });

  /** Nothing was persisted: the accepted counter did not move and no case appeared. */
  const nothingPersisted = async (acceptedBefore: number) => {
    expect(await metricValue(gg, 'groupguard_notifications_accepted_total')).toBe(acceptedBefore);
    expect(await gg.app.store.listCases({ limit: 10 })).toEqual([]);
  };

  const send = (path: string, init: RequestInit & { body?: string }) =>
    fetch(`${gg.url}${path}`, { method: 'POST', ...init });
  const json = (body: unknown) => ({
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

  it.each(
    byTitle([
      ['a wrong clientState', () => json({ value: [notification(subscriptionId, 'guess')] }), 202],
      ['no clientState', () => json({ value: [notification(subscriptionId, undefined)] }), 202],
      [
        'one forged clientState among genuine ones',
        () =>
          json({
            value: [notification(subscriptionId, clientState), notification(subscriptionId, 'x')],
          }),
        202,
      ],
      [
        'an unknown subscription (acknowledged, dropped)',
        () => json({ value: [notification('6e3a6b3c-0000-4000-8000-000000000bad', clientState)] }),
        202,
      ],
      [
        'malformed JSON',
        () => ({ headers: { 'content-type': 'application/json' }, body: '{"value":[' }),
        400,
      ],
      ['a body that is not a notification collection', () => json({ value: 'everything' }), 400],
      ['a notification without a subscription id', () => json({ value: [{ clientState }] }), 400],
      ['a JSON array body', () => json([notification(subscriptionId, clientState)]), 400],
      [
        'text/plain',
        () => ({
          headers: { 'content-type': 'text/plain' },
          body: JSON.stringify({ value: [notification(subscriptionId, clientState)] }),
        }),
        415,
      ],
      ['no content type', () => ({ body: '{}' }), 415],
      [
        'a body over 1 MB',
        () =>
          json({ value: [notification(subscriptionId, clientState)], pad: 'x'.repeat(1_100_000) }),
        413,
      ],
    ]),
  )(
    'answers %s on /api/graph/notifications with %i and persists nothing',
    async (_what, status, body) => {
      const before = await metricValue(gg, 'groupguard_notifications_accepted_total');
      const response = await send('/api/graph/notifications', body());
      expect(response.status).toBe(status);
      await nothingPersisted(before);
    },
  );

  it.each(
    byTitle([
      ['an empty validationToken', '', 400],
      ['a validationToken over 1024 characters', 'v'.repeat(1025), 400],
    ]),
  )('answers %s with %i', async (_what, status, token) => {
    const response = await send(`/api/graph/notifications?validationToken=${token}`, {});
    expect(response.status).toBe(status);
  });

  it('echoes a validationToken carrying markup as plain text the browser will not sniff', async () => {
    const token = '<script>alert(1)</script>';
    const response = await send(
      `/api/graph/notifications?validationToken=${encodeURIComponent(token)}`,
      {},
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await response.text()).toBe(token);
  });

  it.each(['GET', 'PUT', 'DELETE'])(
    'answers %s on /api/graph/notifications with 405',
    async (method) => {
      const response = await fetch(`${gg.url}/api/graph/notifications`, { method });
      expect(response.status).toBe(405);
    },
  );

  it.each(
    byTitle([
      [
        'a wrong clientState',
        () =>
          json({
            value: [
              {
                subscriptionId,
                clientState: 'x',
                lifecycleEvent: 'reauthorizationRequired',
                tenantId: SEED.tenantId,
              },
            ],
          }),
        202,
      ],
      [
        'malformed JSON',
        () => ({ headers: { 'content-type': 'application/json' }, body: '{' }),
        400,
      ],
    ]),
  )(
    'answers %s on /api/graph/lifecycle with %i and renews nothing',
    async (_what, status, body) => {
      const expiresAt = (await gg.app.store.getSubscription())?.expiresAt;
      expect((await send('/api/graph/lifecycle', body())).status).toBe(status);
      expect((await gg.app.store.getSubscription())?.expiresAt).toBe(expiresAt);
    },
  );

  it.each(['/api/graph/notifications', '/api/graph/lifecycle'])(
    'gives a probe on %s the same answer for a wrong clientState as for an unknown subscription',
    async (path) => {
      const probe = (id: string, state: string) =>
        json({
          value: [
            {
              ...notification(id, state),
              ...(path.endsWith('lifecycle') ? { lifecycleEvent: 'reauthorizationRequired' } : {}),
            },
          ],
        });
      const answer = async (response: Response) => ({
        status: response.status,
        contentType: response.headers.get('content-type'),
        body: await response.text(),
      });
      const unknown = await answer(
        await send(path, probe('6e3a6b3c-0000-4000-8000-0000000000aa', 'guess')),
      );
      const wrongSecret = await answer(await send(path, probe(subscriptionId, 'guess')));
      expect(wrongSecret).toEqual(unknown);
    },
  );

  it('still accepts the genuine notification', async () => {
    const before = await metricValue(gg, 'groupguard_notifications_accepted_total');
    const response = await send(
      '/api/graph/notifications',
      json({ value: [notification(subscriptionId, clientState)] }),
    );
    expect(response.status).toBe(202);
    expect(await metricValue(gg, 'groupguard_notifications_accepted_total')).toBe(before + 1);
  });
});
