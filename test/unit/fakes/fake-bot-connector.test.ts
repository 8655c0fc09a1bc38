import { startFakeBotConnector, type FakeBotConnector } from '../../fakes/fake-bot-connector.js';
import {
  startLocalIdentityProvider,
  type LocalIdentityProvider,
} from '../../fakes/local-identity-provider.js';

const CHANNEL = '19:team-general@thread.tacv2';
const CARD = {
  contentType: 'application/vnd.microsoft.card.adaptive',
  content: { type: 'AdaptiveCard', version: '1.5' },
};

let connector: FakeBotConnector | undefined;
let idp: LocalIdentityProvider | undefined;

afterEach(async () => {
  await connector?.stop();
  await idp?.stop();
  connector = undefined;
  idp = undefined;
});

async function call(method: string, path: string, body?: unknown, token?: string) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  const response = await fetch(new URL(path, connector?.serviceUrl), {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: text ? (JSON.parse(text) as unknown) : undefined,
  };
}

function activitiesPath(conversationId: string, activityId?: string) {
  const base = `v3/conversations/${encodeURIComponent(conversationId)}/activities`;
  return activityId === undefined ? base : `${base}/${encodeURIComponent(activityId)}`;
}

async function createPost() {
  const response = await call('POST', 'v3/conversations', {
    isGroup: true,
    channelData: { channel: { id: CHANNEL } },
    tenantId: 'tenant-1',
    activity: { type: 'message', attachments: [CARD] },
  });
  return response.body as { id: string; activityId: string; serviceUrl: string };
}

test('createConversation opens a Teams thread and answers with its conversation and message ids', async () => {
  connector = await startFakeBotConnector();

  const created = await createPost();

  expect(created).toEqual({
    id: `${CHANNEL};messageid=${created.activityId}`,
    activityId: expect.stringMatching(/^\d{13,}$/),
    serviceUrl: connector.serviceUrl,
  });
  expect(connector.posts()).toEqual([
    expect.objectContaining({
      conversationId: created.id,
      activityId: created.activityId,
      channelId: CHANNEL,
      tenantId: 'tenant-1',
      card: CARD.content,
    }),
  ]);
});

test('createConversation without a channel or members is a 400 and creates nothing', async () => {
  connector = await startFakeBotConnector();

  const response = await call('POST', 'v3/conversations', {
    isGroup: true,
    activity: { type: 'message' },
  });

  expect(response.status).toBe(400);
  expect(connector.posts()).toEqual([]);
});

test('URL-encoded Teams ids are decoded; replies, updates and deletes are recorded', async () => {
  connector = await startFakeBotConnector();
  const created = await createPost();

  const reply = await call('POST', activitiesPath(created.id, created.activityId), {
    type: 'message',
    text: 'hi',
  });
  const update = await call('PUT', activitiesPath(created.id, created.activityId), {
    type: 'message',
    attachments: [{ ...CARD, content: { ...CARD.content, body: [] } }],
  });
  const removed = await call('DELETE', activitiesPath(CHANNEL, created.activityId));

  expect([reply.status, update.status, removed.status]).toEqual([200, 200, 200]);
  expect(connector.replies()).toEqual([
    expect.objectContaining({
      conversationId: created.id,
      replyToId: created.activityId,
      text: 'hi',
    }),
  ]);
  expect(connector.updates(created.activityId)).toEqual([
    expect.objectContaining({ conversationId: created.id, card: { ...CARD.content, body: [] } }),
  ]);
  expect(connector.deletes()).toEqual([
    expect.objectContaining({ conversationId: CHANNEL, activityId: created.activityId }),
  ]);
  expect(connector.message(created.activityId)).toMatchObject({ updateCount: 1, deleted: true });
});

test('updating an activity the connector never issued, or a deleted one, is a 404', async () => {
  connector = await startFakeBotConnector();
  const created = await createPost();
  await call('DELETE', activitiesPath(created.id, created.activityId));

  const unknown = await call('PUT', activitiesPath(created.id, created.id), { type: 'message' });
  const deleted = await call('PUT', activitiesPath(created.id, created.activityId), {
    type: 'message',
  });

  expect([unknown.status, deleted.status]).toEqual([404, 404]);
  expect(connector.updates()).toEqual([]);
});

test('with an identity provider, a missing or foreign bearer is a recorded 401', async () => {
  idp = await startLocalIdentityProvider();
  connector = await startFakeBotConnector({ identityProvider: idp });

  const missing = await call('POST', activitiesPath(CHANNEL), { type: 'message' });
  const forged = await call('POST', activitiesPath(CHANNEL), { type: 'message' }, 'a.b.c');

  expect([missing.status, forged.status]).toEqual([401, 401]);
  expect(connector.requests).toEqual([
    expect.objectContaining({
      status: 401,
      authorizationPresent: false,
      authorizationValid: false,
    }),
    expect.objectContaining({ status: 401, authorizationPresent: true, authorizationValid: false }),
  ]);
  expect(connector.replies()).toEqual([]);
});

test('seeded faults are reproducible, carry Retry-After on 429, and are not applied', async () => {
  const statuses = async () => {
    const fake = await startFakeBotConnector({
      faults: { throttle429: 0.3, error5xx: 0.3, seed: 7 },
    });
    connector = fake;
    const seen: number[] = [];
    for (let i = 0; i < 20; i += 1) {
      const response = await call('POST', activitiesPath(CHANNEL), {
        type: 'message',
        text: String(i),
      });
      if (response.status === 429) expect(response.headers.get('retry-after')).toBe('1');
      seen.push(response.status);
    }
    expect(fake.replies()).toHaveLength(seen.filter((s) => s === 200).length);
    await fake.stop();
    return seen;
  };

  const first = await statuses();
  const second = await statuses();

  expect(second).toEqual(first);
  expect(new Set(first)).toEqual(new Set([200, 429, 500, 503]));
});

test('waitFor resolves on a later request and rejects with the recorded traffic on timeout', async () => {
  connector = await startFakeBotConnector();
  const fake = connector;

  const waiting = fake.waitFor((r) => r.operation === 'createConversation');
  await createPost();
  await expect(waiting).resolves.toMatchObject({ status: 201 });

  await expect(fake.waitFor((r) => r.operation === 'deleteActivity', 50)).rejects.toThrow(
    /no matching request within 50 ms\. Recorded 1 request\(s\):\n\s+#1 POST createConversation .* -> 201/,
  );
});

test('reset clears the recorder but keeps posted messages updatable', async () => {
  connector = await startFakeBotConnector();
  const created = await createPost();

  connector.reset();
  const update = await call('PUT', activitiesPath(created.id, created.activityId), {
    type: 'message',
  });

  expect(update.status).toBe(200);
  expect(connector.requests).toHaveLength(1);
});
