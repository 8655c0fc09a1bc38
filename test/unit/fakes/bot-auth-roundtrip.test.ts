import type { AddressInfo } from 'node:net';
import {
  CardFactory,
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  MessageFactory,
  TeamsActivityHandler,
  TurnContext,
  type Activity,
  type AdaptiveCardInvokeResponse,
  type AdaptiveCardInvokeValue,
  type ConversationParameters,
  type ConversationReference,
} from 'botbuilder';
import { createServer, plugins, type Server } from 'restify';
import { startFakeBotConnector, type FakeBotConnector } from '../../fakes/fake-bot-connector.js';
import { LocalBotCredentialsFactory } from '../../fakes/local-bot-credentials-factory.js';
import {
  startLocalIdentityProvider,
  type BotAuthSettings,
  type ChannelTokenOptions,
  type LocalIdentityProvider,
} from '../../fakes/local-identity-provider.js';
import {
  TEAMS_GENERAL_CHANNEL,
  TEAMS_TEAM,
  TEAMS_TENANT_ID,
  botInstalledInTeam,
  cardActionInvoke,
  channelMessage,
  postActivity,
  teamsBot,
  teamsUser,
} from '../../fakes/teams-activities.js';

const APP_ID = '0b7f2c1e-3d4a-4f5b-8c6d-7e8f9a0b1c2d';
const APP_PASSWORD = 'local-test-secret';
const bot = teamsBot(APP_ID);
const alice = teamsUser('Alice Admin', '4a1f5e2b-7c3d-4e8f-9a0b-1c2d3e4f5a6b');

function card(state: string) {
  return {
    type: 'AdaptiveCard',
    version: '1.5',
    body: [{ type: 'TextBlock', text: `Case C-1: ${state}` }],
  };
}

class RoundtripBot extends TeamsActivityHandler {
  readonly installs: Partial<ConversationReference>[] = [];
  readonly botsAdded: string[] = [];

  constructor() {
    super();
    this.onMessage(async (context, next) => {
      const text = TurnContext.removeRecipientMention(context.activity);
      await context.sendActivity(`echo: ${text}`);
      await next();
    });
    this.onInstallationUpdateAdd(async (context, next) => {
      this.installs.push(TurnContext.getConversationReference(context.activity));
      await next();
    });
    this.onTeamsMembersAddedEvent(async (members, _team, _context, next) => {
      this.botsAdded.push(...members.map((m) => m.id));
      await next();
    });
  }

  protected override async onAdaptiveCardInvoke(
    context: TurnContext,
    invokeValue: AdaptiveCardInvokeValue,
  ): Promise<AdaptiveCardInvokeResponse> {
    return {
      statusCode: 200,
      type: 'application/vnd.microsoft.card.adaptive',
      value: card(`${invokeValue.action.verb} by ${context.activity.from.aadObjectId}`),
    };
  }
}

// Botbuilder caches OpenID metadata per URL process-wide, so this file keeps one IdP for all tests.
let idp: LocalIdentityProvider;
let connector: FakeBotConnector;
let settings: BotAuthSettings;
let adapter: CloudAdapter;
let server: Server;
let botUrl: string;
let roundtripBot: RoundtripBot;
const turnErrors: unknown[] = [];
let consoleError: jest.SpyInstance;

beforeAll(async () => {
  // CloudAdapter console.errors every rejected token; the assertions below check the 401s instead.
  consoleError = jest.spyOn(console, 'error').mockImplementation(() => undefined);
  idp = await startLocalIdentityProvider({ clientId: APP_ID, clientSecret: APP_PASSWORD });
  connector = await startFakeBotConnector({ identityProvider: idp });
  settings = idp.botAuthSettings(APP_ID, APP_PASSWORD);
  adapter = new CloudAdapter(
    new ConfigurationBotFrameworkAuthentication(
      settings,
      new LocalBotCredentialsFactory({
        appId: APP_ID,
        appPassword: APP_PASSWORD,
        defaultScope: settings.ToChannelFromBotOAuthScope,
      }),
    ),
  );
  adapter.onTurnError = async (_context, error) => {
    turnErrors.push(error);
  };

  roundtripBot = new RoundtripBot();

  server = createServer();
  server.use(plugins.bodyParser());
  server.post('/api/messages', async (req, res) => {
    await adapter.process(req, res, (context) => roundtripBot.run(context));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  botUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/messages`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await connector.stop();
  await idp.stop();
  consoleError.mockRestore();
});

beforeEach(() => {
  connector.reset();
  connector.setFaults({});
  turnErrors.length = 0;
});

function messageFromAlice(text: string) {
  return channelMessage({ text, from: alice, serviceUrl: connector.serviceUrl, bot });
}

function validToken(overrides: Partial<ChannelTokenOptions> = {}) {
  return idp.signChannelToken({ audience: APP_ID, serviceUrl: connector.serviceUrl, ...overrides });
}

function threadReference(conversationId: string): Partial<ConversationReference> {
  return {
    channelId: 'msteams',
    serviceUrl: connector.serviceUrl,
    bot,
    conversation: {
      id: conversationId,
      isGroup: true,
      conversationType: 'channel',
      tenantId: TEAMS_TENANT_ID,
      name: '',
    },
  };
}

test('a validly signed channel token is accepted and the reply carries a bearer the IdP issued', async () => {
  const activity = messageFromAlice('status');

  const response = await postActivity(botUrl, activity, validToken());

  expect(response.status).toBe(200);
  const reply = await connector.waitFor((r) => r.operation === 'replyToActivity');
  expect(reply).toMatchObject({
    status: 200,
    conversationId: activity.conversation.id,
    activityId: activity.id,
    authorizationPresent: true,
    authorizationValid: true,
  });
  expect(connector.replies().map((r) => r.text)).toEqual(['echo: status']);
  expect(idp.requests).toContainEqual(
    expect.objectContaining({
      method: 'POST',
      status: 200,
      clientId: APP_ID,
      scope: `${idp.oauthScope}/.default`,
    }),
  );
  expect(turnErrors).toEqual([]);
});

test('createConversationAsync posts a new channel thread that continueConversationAsync updates in place', async () => {
  const parameters = {
    isGroup: true,
    bot,
    tenantId: TEAMS_TENANT_ID,
    channelData: { channel: { id: TEAMS_GENERAL_CHANNEL.id } },
    activity: MessageFactory.attachment(CardFactory.adaptiveCard(card('open'))) as Activity,
  } as ConversationParameters;
  let seenConversationId = '';
  let seenActivityId: string | undefined;

  await adapter.createConversationAsync(
    APP_ID,
    'msteams',
    connector.serviceUrl,
    '',
    parameters,
    async (context) => {
      seenConversationId = context.activity.conversation.id;
      seenActivityId = context.activity.id;
    },
  );

  const [post] = connector.posts();
  expect(connector.posts()).toHaveLength(1);
  expect(post).toMatchObject({
    channelId: TEAMS_GENERAL_CHANNEL.id,
    tenantId: TEAMS_TENANT_ID,
    card: card('open'),
    request: { status: 201, authorizationValid: true },
  });
  expect(post?.conversationId).toBe(`${TEAMS_GENERAL_CHANNEL.id};messageid=${post?.activityId}`);
  // The turn sees the thread's conversation id in both fields; the bare message id must be parsed out.
  expect(seenConversationId).toBe(post?.conversationId);
  expect(seenActivityId).toBe(post?.conversationId);
  const messageId = seenConversationId.split(';messageid=')[1] ?? '';

  const updateErrors: unknown[] = [];
  await adapter.continueConversationAsync(
    APP_ID,
    threadReference(seenConversationId),
    async (context) => {
      try {
        await context.updateActivity({ id: seenConversationId, type: 'message' });
      } catch (error) {
        updateErrors.push(error);
      }
      await context.updateActivity({
        id: messageId,
        type: 'message',
        attachments: [CardFactory.adaptiveCard(card('approved'))],
      });
    },
  );

  expect(updateErrors).toEqual([expect.objectContaining({ statusCode: 404 })]);
  expect(connector.updates(messageId)).toEqual([
    expect.objectContaining({
      conversationId: seenConversationId,
      card: card('approved'),
      request: expect.objectContaining({ status: 200, authorizationValid: true }),
    }),
  ]);
  expect(connector.message(messageId)).toMatchObject({ updateCount: 1, card: card('approved') });
  expect(turnErrors).toEqual([]);
});

test('install activities and an Action.Execute invoke built by teams-activities are understood by botbuilder', async () => {
  for (const activity of botInstalledInTeam({
    from: alice,
    serviceUrl: connector.serviceUrl,
    bot,
  })) {
    expect((await postActivity(botUrl, activity, validToken())).status).toBe(200);
  }
  expect(roundtripBot.botsAdded).toContain(bot.id);
  expect(roundtripBot.installs.at(-1)).toMatchObject({
    conversation: { id: TEAMS_TEAM.id, tenantId: TEAMS_TENANT_ID },
    serviceUrl: connector.serviceUrl,
  });

  const invoke = cardActionInvoke({
    verb: 'approve',
    data: { caseId: 'C-1' },
    from: alice,
    replyToId: '1712345678901',
    conversationId: `${TEAMS_GENERAL_CHANNEL.id};messageid=1712345678901`,
    serviceUrl: connector.serviceUrl,
    bot,
  });
  const response = await postActivity(botUrl, invoke, validToken());

  expect(response).toEqual({
    status: 200,
    body: {
      statusCode: 200,
      type: 'application/vnd.microsoft.card.adaptive',
      value: card(`approve by ${alice.aadObjectId}`),
    },
  });
  expect(turnErrors).toEqual([]);
});

test('an outbound token for another audience is refused by the connector', async () => {
  const parameters = {
    isGroup: true,
    channelData: { channel: { id: TEAMS_GENERAL_CHANNEL.id } },
    activity: MessageFactory.text('hello') as Activity,
  } as ConversationParameters;

  await expect(
    adapter.createConversationAsync(
      APP_ID,
      'msteams',
      connector.serviceUrl,
      'https://api.botframework.com',
      parameters,
      async () => undefined,
    ),
  ).rejects.toMatchObject({ statusCode: 401 });

  expect(connector.requests).toEqual([
    expect.objectContaining({
      operation: 'createConversation',
      status: 401,
      authorizationValid: false,
      authorizationError: expect.stringContaining('aud https://api.botframework.com'),
    }),
  ]);
  expect(connector.posts()).toEqual([]);
});

test.each<[string, () => string | undefined, string]>([
  ['no token', () => undefined, 'Unauthorized Access. Request is not authorized'],
  ['an expired token', () => validToken({ expiresInSeconds: -600 }), 'The token has expired'],
  [
    'a token for another bot',
    () => validToken({ audience: 'someone-else' }),
    'Invalid AppId passed on token: someone-else',
  ],
  [
    'a token from another issuer',
    () => validToken({ issuer: 'https://api.botframework.com' }),
    'No valid identity',
  ],
  [
    'a token signed by a foreign key',
    () => validToken({ signWithForeignKey: true }),
    'Signing Key could not be retrieved',
  ],
  [
    'a token for another serviceUrl',
    () => validToken({ serviceUrl: 'http://127.0.0.1:9/' }),
    'ServiceUrl claim do not match',
  ],
])('%s is rejected with 401 and nothing reaches the connector', async (_name, token, message) => {
  const response = await postActivity(botUrl, messageFromAlice('status'), token());

  expect(response.status).toBe(401);
  expect(String(response.body)).toContain(message);
  expect(connector.requests).toEqual([]);
});

// Not 401: botbuilder rethrows these jsonwebtoken errors, so CloudAdapter answers 500.
test.each([
  {
    name: 'a bad signature under the JWKS kid',
    token: () => validToken({ signWithForeignKey: true, kid: idp.kid }),
    status: 500,
    body: 'invalid signature',
  },
  {
    name: 'a token that is not valid yet',
    token: () => validToken({ notBeforeOffsetSeconds: 600 }),
    status: 500,
    body: 'jwt not active',
  },
  {
    name: 'a token expired within the 300 s clock skew',
    token: () => validToken({ expiresInSeconds: -200 }),
    status: 200,
    body: '',
  },
])('$name gets $status from botbuilder', async ({ token, status, body }) => {
  const response = await postActivity(botUrl, messageFromAlice('status'), token());

  expect(response).toEqual({ status, body });
});

test('a channel other than the key endorsement (msteams) is rejected', async () => {
  const response = await postActivity(
    botUrl,
    { ...messageFromAlice('status'), channelId: 'webchat' },
    validToken(),
  );

  expect(response.status).toBe(401);
  expect(String(response.body)).toContain('Could not validate endorsement');
});

test('a 429 from the connector is honoured by botbuilder, which retries after Retry-After', async () => {
  connector.failNext(1, 429);

  const started = Date.now();
  const response = await postActivity(botUrl, messageFromAlice('status'), validToken());

  expect(response.status).toBe(200);
  const [throttled, retried] = connector.requests;
  expect(throttled).toMatchObject({
    operation: 'replyToActivity',
    status: 429,
    fault: 429,
    authorizationValid: true,
  });
  expect(retried).toMatchObject({ operation: 'replyToActivity', status: 200 });
  expect((retried?.at ?? 0) - (throttled?.at ?? 0)).toBeGreaterThanOrEqual(900);
  expect(Date.now() - started).toBeLessThan(5000);
  expect(connector.replies()).toHaveLength(1);
  expect(turnErrors).toEqual([]);
});

test('a connector that always throttles leaves the reply unapplied and the error in onTurnError', async () => {
  connector.setFaults({ throttle429: 1, retryAfterSeconds: 0 });

  const response = await postActivity(botUrl, messageFromAlice('status'), validToken());

  // CloudAdapter answers 200 even though the turn failed; only onTurnError sees it.
  expect(response.status).toBe(200);
  expect(connector.requests.map((r) => r.status)).toEqual([429, 429, 429, 429]);
  expect(connector.replies()).toEqual([]);
  expect(turnErrors).toEqual([expect.objectContaining({ statusCode: 429 })]);
});
