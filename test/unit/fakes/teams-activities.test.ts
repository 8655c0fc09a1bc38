import {
  TurnContext,
  teamsGetChannelId,
  teamsGetTeamInfo,
  teamsGetTenant,
  type Activity,
} from 'botbuilder';
import {
  TEAMS_TEAM,
  TEAMS_TENANT_ID,
  botInstalledInTeam,
  cardActionInvoke,
  channelMessage,
  readableInvokeAnswer,
  shownForInvoke,
  teamsBot,
  teamsUser,
  type TeamsActivity,
} from '../../fakes/teams-activities.js';

const bot = teamsBot('0b7f2c1e-3d4a-4f5b-8c6d-7e8f9a0b1c2d');
const alice = teamsUser('Alice Admin', '4a1f5e2b-7c3d-4e8f-9a0b-1c2d3e4f5a6b');
const serviceUrl = 'http://127.0.0.1:1/';

// Wire JSON has string timestamps; botbuilder's helpers only read the fields used here.
const asActivity = (activity: TeamsActivity) => activity as unknown as Activity;

test('users get a stable 29: id derived from their Entra object id', () => {
  expect(teamsUser('A', alice.aadObjectId)).toEqual({ ...alice, name: 'A' });
  expect(alice.id).toMatch(/^29:1[\w-]{40}$/);
  expect(bot.id).toBe('28:0b7f2c1e-3d4a-4f5b-8c6d-7e8f9a0b1c2d');
});

test('a channel message @mentions the bot the way botbuilder strips it', () => {
  const activity = channelMessage({ text: 'approve C-1', from: alice, serviceUrl, bot });

  expect(activity).toMatchObject({
    type: 'message',
    channelId: 'msteams',
    text: '<at>GroupGuard</at> approve C-1',
    conversation: {
      id: `${TEAMS_TEAM.id};messageid=${activity.id}`,
      conversationType: 'channel',
      tenantId: TEAMS_TENANT_ID,
    },
  });
  expect(TurnContext.removeRecipientMention(asActivity(structuredClone(activity)))).toBe(
    'approve C-1',
  );
  expect(teamsGetTeamInfo(asActivity(activity))).toMatchObject({ id: TEAMS_TEAM.id });
  expect(teamsGetChannelId(asActivity(activity))).toBe(TEAMS_TEAM.id);
  expect(teamsGetTenant(asActivity(activity))).toEqual({ id: TEAMS_TENANT_ID });
});

test('without a mention the text and entities carry no mention', () => {
  const activity = channelMessage({
    text: 'hello',
    from: alice,
    serviceUrl,
    bot,
    mentionBot: false,
    threadId: '42',
  });

  expect(activity.text).toBe('hello');
  expect(activity.entities?.map((e) => e.type)).toEqual(['clientInfo']);
  expect(activity).toMatchObject({
    replyToId: '42',
    conversation: { id: `${TEAMS_TEAM.id};messageid=42` },
  });
});

test('installing the app yields teamMemberAdded and installationUpdate add', () => {
  const [conversationUpdate, installationUpdate] = botInstalledInTeam({
    from: alice,
    serviceUrl,
    bot,
  });

  expect(conversationUpdate).toMatchObject({
    type: 'conversationUpdate',
    membersAdded: [{ id: bot.id }],
    conversation: { id: TEAMS_TEAM.id },
    channelData: {
      eventType: 'teamMemberAdded',
      team: { id: TEAMS_TEAM.id },
      tenant: { id: TEAMS_TENANT_ID },
    },
  });
  expect(installationUpdate).toMatchObject({
    type: 'installationUpdate',
    action: 'add',
    channelData: { settings: { selectedChannel: { id: TEAMS_TEAM.id } } },
  });
});

test('a card action is an adaptiveCard/action invoke with the Action.Execute payload', () => {
  const conversationId = `${TEAMS_TEAM.id};messageid=1712345678901`;
  const invoke = cardActionInvoke({
    verb: 'restore',
    data: { caseId: 'C-1' },
    from: alice,
    replyToId: '1712345678901',
    conversationId,
    serviceUrl,
    bot,
  });

  expect(invoke).toMatchObject({
    type: 'invoke',
    name: 'adaptiveCard/action',
    replyToId: '1712345678901',
    from: { aadObjectId: alice.aadObjectId },
    conversation: { id: conversationId },
    channelData: {
      channel: { id: TEAMS_TEAM.id },
      team: { id: TEAMS_TEAM.id },
      tenant: { id: TEAMS_TENANT_ID },
    },
    value: {
      action: { type: 'Action.Execute', verb: 'restore', data: { caseId: 'C-1' } },
      trigger: 'manual',
    },
  });
  expect(invoke.id).toMatch(/^f:\d{19,20}$/);
});

describe('what Teams shows for an invoke answer', () => {
  const card = { type: 'AdaptiveCard', version: '1.5', body: [] };
  const answer = (status: number, body: unknown) => ({ status, body });

  test('a card or a message when the bot answers 200 with one of them', () => {
    expect(
      shownForInvoke(
        answer(200, {
          statusCode: 200,
          type: 'application/vnd.microsoft.card.adaptive',
          value: card,
        }),
      ),
    ).toEqual({ kind: 'card', card });
    expect(
      shownForInvoke(
        answer(200, {
          statusCode: 200,
          type: 'application/vnd.microsoft.activity.message',
          value: 'No such case.',
        }),
      ),
    ).toEqual({ kind: 'message', text: 'No such case.' });
  });

  test.each([
    [
      'an error body',
      400,
      {
        statusCode: 400,
        type: 'application/vnd.microsoft.error',
        value: { code: 'BadReason', message: 'too long' },
      },
    ],
    [
      'a 500',
      500,
      {
        statusCode: 500,
        type: 'application/vnd.microsoft.error',
        value: { code: 'InternalError', message: 'x' },
      },
    ],
    [
      'a card type with no card',
      200,
      { statusCode: 200, type: 'application/vnd.microsoft.card.adaptive', value: 'x' },
    ],
    [
      'an empty message',
      200,
      { statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: '' },
    ],
    ['no body', 200, ''],
  ])('"Something went wrong" for %s', (_what, status, body) => {
    expect(shownForInvoke(answer(status, body))).toEqual({ kind: 'something-went-wrong', status });
    expect(() => readableInvokeAnswer(answer(status, body))).toThrow('Something went wrong');
  });
});
