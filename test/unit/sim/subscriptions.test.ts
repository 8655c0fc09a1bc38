import {
  startGraphSimulator,
  type GraphSimulator,
  type GraphSimulatorOptions,
} from '../../../src/sim/graph-simulator.js';
import { SEED } from '../../../src/sim/seed-tenant.js';
import {
  SimTestClient,
  echoValidation,
  startReceiver,
  type Receiver,
  type ReceivedRequest,
} from './sim-test-client.js';

const inMinutes = (minutes: number): string =>
  new Date(Date.now() + minutes * 60_000).toISOString();
const settle = (ms = 150): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('graph simulator: subscriptions and change notifications', () => {
  let sim: GraphSimulator;
  let client: SimTestClient;
  let token: string;
  const receivers: Receiver[] = [];

  async function start(options: GraphSimulatorOptions = {}): Promise<void> {
    sim = await startGraphSimulator({
      notificationRetry: { attempts: 4, initialDelayMs: 20 },
      ...options,
    });
    client = new SimTestClient(sim);
    token = await client.appToken();
  }

  async function receiver(reply?: Parameters<typeof startReceiver>[0]): Promise<Receiver> {
    const r = await startReceiver(reply);
    receivers.push(r);
    return r;
  }

  async function subscribe(notify: Receiver, extra: Record<string, unknown> = {}) {
    return client.call('POST', '/v1.0/subscriptions', {
      token,
      body: {
        changeType: 'updated',
        notificationUrl: notify.url,
        resource: 'groups',
        expirationDateTime: inMinutes(60),
        clientState: 'secret-state',
        ...extra,
      },
    });
  }

  afterEach(async () => {
    await client.close();
    await sim.stop();
    await Promise.all(receivers.splice(0).map((r) => r.close()));
  });

  it('creates a subscription after the validation handshake', async () => {
    await start();
    const notify = await receiver();
    const lifecycle = await receiver();
    const expiration = inMinutes(60);
    const r = await subscribe(notify, {
      lifecycleNotificationUrl: lifecycle.url,
      expirationDateTime: expiration,
    });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({
      resource: 'groups',
      applicationId: SEED.app.clientId,
      changeType: 'updated',
      clientState: 'secret-state',
      notificationUrl: notify.url,
      lifecycleNotificationUrl: lifecycle.url,
      expirationDateTime: expiration,
      creatorId: SEED.app.servicePrincipalId,
      latestSupportedTlsVersion: 'v1_2',
      notificationQueryOptions: null,
      encryptionCertificate: null,
      includeResourceData: false,
    });
    expect(r.body.id).toMatch(/^[0-9a-f-]{36}$/);

    const handshake = notify.requests[0] as ReceivedRequest;
    const rawQuery = handshake.url.split('?')[1] as string;
    expect(rawQuery).toMatch(/^validationToken=Validation%3A%20Testing%20client/);
    expect(handshake.query.get('validationToken')).toMatch(
      /^Validation: Testing client application reachability for subscription Request-Id: [0-9a-f-]{36}$/,
    );
    expect(lifecycle.requests).toHaveLength(1);

    const list = await client.call('GET', '/v1.0/subscriptions', { token });
    expect(list.body.value).toHaveLength(1);
    expect(list.body.value[0]).toMatchObject({ id: r.body.id, clientState: null });
    expect(sim.directory.subscriptions()[0]?.clientState).toBe('secret-state');
  });

  it.each([
    ['refuses the handshake', () => ({ status: 404 })],
    ['echoes the wrong token', () => ({ status: 200, contentType: 'text/plain', body: 'nope' })],
    [
      'echoes the still-encoded token',
      (req: ReceivedRequest) => ({
        status: 200,
        contentType: 'text/plain',
        body: encodeURIComponent(req.query.get('validationToken') ?? ''),
      }),
    ],
    [
      'answers with a JSON content type',
      (req: ReceivedRequest) => ({
        status: 200,
        contentType: 'application/json',
        body: req.query.get('validationToken') ?? '',
      }),
    ],
  ])('answers 400 to the creator when the endpoint %s', async (_label, reply) => {
    await start();
    const notify = await receiver(reply);
    const r = await subscribe(notify);
    expect(r.status).toBe(400);
    expect(r.body.error).toMatchObject({
      code: 'InvalidRequest',
      message:
        'Subscription validation request failed. Notification endpoint must respond with 200 OK to validation request.',
    });
    expect(sim.directory.subscriptions()).toEqual([]);
  });

  it('validates the subscription fields', async () => {
    await start();
    const notify = await receiver();
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ clientState: 'x'.repeat(129) }, /128 characters/],
      [{ expirationDateTime: inMinutes(41_761) }, /can only be 41760 minutes in the future/],
      [{ expirationDateTime: inMinutes(-1) }, /must be in the future/],
      [{ expirationDateTime: undefined }, /expirationDateTime/],
      [{ changeType: 'created' }, /changeType/],
      [{ resource: 'users' }, /not supported/],
      [{ notificationUrl: 'http://example.com/notify' }, /https/],
    ];
    for (const [extra, message] of cases) {
      const r = await subscribe(notify, extra);
      expect(r.status).toBe(400);
      expect(r.body.error.code).toBe('InvalidRequest');
      expect(r.body.error.message).toMatch(message);
    }
    expect(notify.requests).toHaveLength(0);
    const ok = await subscribe(notify, {
      clientState: 'x'.repeat(128),
      expirationDateTime: inMinutes(41_759),
      changeType: 'updated,deleted',
      resource: `/groups/${SEED.groups.tier0}/members`,
    });
    expect(ok.status).toBe(201);
  });

  it('renews, reauthorizes and deletes; unknown ids are 404 ResourceNotFound', async () => {
    await start();
    const notify = await receiver();
    const { body } = await subscribe(notify);
    const renewed = inMinutes(2000);
    const patch = await client.call('PATCH', `/v1.0/subscriptions/${body.id}`, {
      token,
      body: { expirationDateTime: renewed },
    });
    expect(patch.status).toBe(200);
    expect(patch.body.expirationDateTime).toBe(renewed);
    const tooFar = await client.call('PATCH', `/v1.0/subscriptions/${body.id}`, {
      token,
      body: { expirationDateTime: inMinutes(50_000) },
    });
    expect(tooFar.status).toBe(400);
    const reauthorize = await client.call('POST', `/v1.0/subscriptions/${body.id}/reauthorize`, {
      token,
    });
    expect(reauthorize.status).toBe(204);
    expect(
      (await client.call('GET', `/v1.0/subscriptions/${body.id}`, { token })).body,
    ).toMatchObject({
      expirationDateTime: renewed,
      clientState: null,
    });
    expect((await client.call('DELETE', `/v1.0/subscriptions/${body.id}`, { token })).status).toBe(
      204,
    );
    const gone = await client.call('GET', `/v1.0/subscriptions/${body.id}`, { token });
    expect(gone.status).toBe(404);
    expect(gone.body.error.code).toBe('ResourceNotFound');
    const unknownPatch = await client.call('PATCH', '/v1.0/subscriptions/nope', {
      token,
      body: { expirationDateTime: renewed },
    });
    expect(unknownPatch.status).toBe(404);
  });

  it('notifies a removal with the documented body', async () => {
    await start();
    const notify = await receiver();
    const everything = await subscribe(notify);
    const other = await receiver();
    await subscribe(other, { resource: `groups/${SEED.groups.finance}`, clientState: 'other' });

    const removed = await client.call(
      'DELETE',
      `/v1.0/groups/${SEED.groups.tier0}/members/${SEED.users.breakGlass}/$ref`,
      { token },
    );
    expect(removed.status).toBe(204);
    const [notification] = await notify.waitFor(1);
    expect(notification?.headers['content-type']).toMatch(/^application\/json/);
    const body = JSON.parse(notification?.body ?? '');
    expect(body).toEqual({
      value: [
        {
          id: expect.stringMatching(/^[0-9a-f-]{36}$/),
          subscriptionId: everything.body.id,
          subscriptionExpirationDateTime: everything.body.expirationDateTime,
          clientState: 'secret-state',
          changeType: 'updated',
          resource: `Groups/${SEED.groups.tier0}`,
          tenantId: sim.tenantId,
          resourceData: {
            '@odata.type': '#Microsoft.Graph.Group',
            '@odata.id': `Groups/${SEED.groups.tier0}`,
            id: SEED.groups.tier0,
            organizationId: sim.tenantId,
            eventTime: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
            sequenceNumber: 1,
          },
        },
      ],
    });
    await settle();
    expect(other.notifications()).toHaveLength(0);
  });

  it('retries a failed delivery with backoff until it succeeds', async () => {
    await start();
    let posts = 0;
    const notify = await receiver((req) => {
      if (req.query.get('validationToken') !== null) return echoValidation(req);
      posts++;
      return posts <= 2 ? { status: 500 } : { status: 202 };
    });
    await subscribe(notify);
    sim.directory.removeMember(SEED.groups.finance, SEED.users.isaiah, SEED.users.diego);
    const received = await notify.waitFor(3);
    await settle();
    expect(notify.notifications()).toHaveLength(3);
    const ids = received.map((r) => JSON.parse(r.body).value[0].id);
    expect(new Set(ids).size).toBe(1);
    const gaps = [received[1]!.at - received[0]!.at, received[2]!.at - received[1]!.at];
    expect(gaps[0]).toBeGreaterThanOrEqual(15);
    expect(gaps[1]).toBeGreaterThanOrEqual(35);
  });

  it('gives up after the configured attempts', async () => {
    await start();
    const notify = await receiver((req) =>
      req.query.get('validationToken') !== null ? echoValidation(req) : { status: 503 },
    );
    await subscribe(notify);
    sim.directory.removeMember(SEED.groups.finance, SEED.users.isaiah, SEED.users.diego);
    await notify.waitFor(4);
    await settle(300);
    expect(notify.notifications()).toHaveLength(4);
  });

  it('duplicates and drops notifications as the faults say', async () => {
    await start({ faults: { duplicateNotifications: 1 } });
    const notify = await receiver();
    await subscribe(notify);
    sim.directory.removeMember(SEED.groups.finance, SEED.users.isaiah, SEED.users.diego);
    const twice = await notify.waitFor(2);
    expect(twice[0]?.body).toBe(twice[1]?.body);

    sim.setFaults({ duplicateNotifications: 0, dropNotifications: 1 });
    sim.directory.removeMember(SEED.groups.finance, SEED.users.lee, SEED.users.diego);
    await settle();
    expect(notify.notifications()).toHaveLength(2);

    sim.setFaults({ dropNotifications: 0 });
    sim.directory.removeMember(SEED.groups.finance, SEED.users.patti, SEED.users.diego);
    const [, , third] = await notify.waitFor(3);
    expect(JSON.parse(third?.body ?? '').value[0].resourceData.sequenceNumber).toBe(3);
  });

  it('applies probabilistic faults reproducibly for a seed', async () => {
    const run = async (seed: number): Promise<number[]> => {
      let dropped = 0;
      let duplicated = 0;
      await start({
        seed,
        faults: { duplicateNotifications: 0.5, dropNotifications: 0.3 },
        log: (msg) => {
          if (msg === 'graph-sim: notification dropped (fault)') dropped++;
          if (msg === 'graph-sim: notification duplicated (fault)') duplicated++;
        },
      });
      const notify = await receiver();
      await subscribe(notify);
      const members = sim.directory.members(SEED.groups.mfaRequired);
      for (const member of members) {
        sim.directory.removeMember(SEED.groups.mfaRequired, member, SEED.users.diego);
      }
      await notify.waitFor(members.length - dropped + duplicated);
      const counts = members.map(() => 0);
      for (const n of notify.notifications()) {
        const seq = JSON.parse(n.body).value[0].resourceData.sequenceNumber as number;
        counts[seq - 1] = (counts[seq - 1] ?? 0) + 1;
      }
      await client.close();
      await sim.stop();
      return counts;
    };
    const a = await run(42);
    const b = await run(42);
    const c = await run(7);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    expect(a).toContain(0);
    expect(a).toContain(2);
    await start();
  });

  it('sends reauthorizationRequired to the lifecycle URL', async () => {
    await start();
    const notify = await receiver();
    const lifecycle = await receiver();
    const { body } = await subscribe(notify, { lifecycleNotificationUrl: lifecycle.url });
    await sim.sendLifecycleEvent(body.id, 'reauthorizationRequired');
    const [event] = lifecycle.notifications();
    expect(JSON.parse(event?.body ?? '')).toEqual({
      value: [
        {
          subscriptionId: body.id,
          subscriptionExpirationDateTime: body.expirationDateTime,
          tenantId: sim.tenantId,
          clientState: 'secret-state',
          lifecycleEvent: 'reauthorizationRequired',
        },
      ],
    });
    await expect(sim.sendLifecycleEvent('unknown', 'reauthorizationRequired')).rejects.toThrow();
  });

  it('sends reauthorizationRequired on its own 15 minutes before expiry', async () => {
    await start();
    const notify = await receiver();
    const lifecycle = await receiver();
    const { body } = await subscribe(notify, {
      lifecycleNotificationUrl: lifecycle.url,
      expirationDateTime: new Date(Date.now() + 15 * 60_000 + 1500).toISOString(),
    });
    expect(lifecycle.notifications()).toHaveLength(0);
    const [event] = await lifecycle.waitFor(1, 4000);
    expect(JSON.parse(event?.body ?? '').value[0]).toMatchObject({
      subscriptionId: body.id,
      lifecycleEvent: 'reauthorizationRequired',
    });
  });

  it('deletes an expired subscription and stops notifying it', async () => {
    await start();
    const notify = await receiver();
    const { status, body } = await subscribe(notify, {
      expirationDateTime: new Date(Date.now() + 800).toISOString(),
    });
    expect(status).toBe(201);
    expect(sim.directory.subscriptions()).toHaveLength(1);
    await settle(900);
    sim.directory.removeMember(SEED.groups.finance, SEED.users.isaiah, SEED.users.diego);
    await settle();
    expect(notify.notifications()).toHaveLength(0);
    expect(sim.directory.subscriptions()).toHaveLength(0);
    expect((await client.call('GET', `/v1.0/subscriptions/${body.id}`, { token })).status).toBe(
      404,
    );
  });
});
