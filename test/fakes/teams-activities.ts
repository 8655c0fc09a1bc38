import { createHash, randomBytes } from 'node:crypto';

export interface TeamsUser {
  /** Bot-scoped MRI, `29:...`. */
  readonly id: string;
  readonly name: string;
  /** Entra object id (GUID): what authorization decisions must use. */
  readonly aadObjectId: string;
}

export interface TeamsBot {
  /** `28:<appId>`. */
  readonly id: string;
  readonly name: string;
}

export interface TeamsTeam {
  readonly id: string;
  readonly name?: string;
  readonly aadGroupId?: string;
}

export interface TeamsChannel {
  readonly id: string;
  readonly name?: string;
}

export interface TeamsChannelAccount {
  readonly id: string;
  readonly name?: string;
  readonly aadObjectId?: string;
}

export interface TeamsConversationAccount {
  readonly id: string;
  readonly conversationType: 'channel' | 'groupChat' | 'personal';
  readonly isGroup?: boolean;
  readonly tenantId: string;
  readonly name?: string;
}

export interface TeamsEntity {
  readonly type: string;
  readonly [key: string]: unknown;
}

export interface TeamsChannelData {
  readonly tenant: { readonly id: string };
  readonly team?: TeamsTeam;
  readonly channel?: TeamsChannel;
  readonly teamsTeamId?: string;
  readonly teamsChannelId?: string;
  readonly eventType?: string;
  readonly settings?: { readonly selectedChannel: TeamsChannel };
  readonly source?: { readonly name: string } | null;
  readonly [key: string]: unknown;
}

/** An activity in the JSON shape Teams posts to the bot (timestamps are strings on the wire). */
export interface TeamsActivity {
  readonly type: 'message' | 'conversationUpdate' | 'installationUpdate' | 'invoke';
  readonly id: string;
  readonly timestamp: string;
  readonly localTimestamp?: string;
  readonly channelId: 'msteams';
  readonly serviceUrl: string;
  readonly from: TeamsChannelAccount;
  readonly recipient: TeamsChannelAccount;
  readonly conversation: TeamsConversationAccount;
  readonly channelData: TeamsChannelData;
  readonly text?: string;
  readonly textFormat?: 'plain';
  readonly attachments?: readonly { readonly contentType: string; readonly content: unknown }[];
  readonly entities?: readonly TeamsEntity[];
  readonly membersAdded?: readonly TeamsChannelAccount[];
  readonly action?: 'add' | 'remove' | 'add-upgrade' | 'remove-upgrade';
  readonly name?: string;
  readonly value?: unknown;
  readonly replyToId?: string;
  readonly locale?: string;
  readonly localTimezone?: string;
}

export const TEAMS_TENANT_ID = '5f2b8c3e-1d4a-4e7b-9c6f-0a8d3b2e7f41';

/** The General channel's id equals the team id. */
export const TEAMS_TEAM: TeamsTeam = {
  id: '19:team-general@thread.tacv2',
  name: 'SecOps',
  aadGroupId: 'b9a0c5e2-4f3d-4c8e-9a71-3f0d2e6b8c14',
};

export const TEAMS_GENERAL_CHANNEL: TeamsChannel = { id: TEAMS_TEAM.id, name: 'General' };

export function teamsBot(appId: string, name = 'GroupGuard'): TeamsBot {
  return { id: `28:${appId}`, name };
}

/** A user with a stable `29:` MRI derived from the Entra object id the caller supplies. */
export function teamsUser(name: string, aadObjectId: string): TeamsUser {
  const opaque = createHash('sha256').update(aadObjectId).digest('base64url').slice(0, 40);
  return { id: `29:1${opaque}`, name, aadObjectId };
}

export interface TeamsContextOptions {
  readonly serviceUrl: string;
  readonly bot: TeamsBot;
  readonly tenantId?: string;
  readonly team?: TeamsTeam;
  readonly channel?: TeamsChannel;
}

export interface ChannelMessageOptions extends TeamsContextOptions {
  /** The command text, without the mention. */
  readonly text: string;
  readonly from: TeamsUser;
  /** Default true: in channels Teams only delivers messages that @mention the bot. */
  readonly mentionBot?: boolean;
  /** Root message id when the message is a reply inside an existing thread. */
  readonly threadId?: string;
  readonly id?: string;
}

export function channelMessage(options: ChannelMessageOptions): TeamsActivity {
  const { bot, from } = options;
  const mentionBot = options.mentionBot ?? true;
  const context = resolveContext(options);
  const id = options.id ?? newMessageId();
  const mentionText = `<at>${bot.name}</at>`;
  const text = mentionBot ? `${mentionText} ${options.text}` : options.text;
  const entities: TeamsEntity[] = [
    {
      type: 'clientInfo',
      locale: 'en-US',
      country: 'US',
      platform: 'Web',
      timezone: 'Europe/Berlin',
    },
  ];
  if (mentionBot)
    entities.unshift({
      type: 'mention',
      text: mentionText,
      mentioned: { id: bot.id, name: bot.name },
    });
  return {
    type: 'message',
    id,
    timestamp: new Date().toISOString(),
    localTimestamp: new Date().toISOString(),
    channelId: 'msteams',
    serviceUrl: options.serviceUrl,
    from: { id: from.id, name: from.name, aadObjectId: from.aadObjectId },
    recipient: { id: bot.id, name: bot.name },
    conversation: {
      id: `${context.channel.id};messageid=${options.threadId ?? id}`,
      conversationType: 'channel',
      isGroup: true,
      tenantId: context.tenantId,
    },
    channelData: channelDataFor(context),
    text,
    textFormat: 'plain',
    attachments: [
      {
        contentType: 'text/html',
        content: `<p>${mentionBot ? `<at id="0">${escapeHtml(bot.name)}</at> ` : ''}${escapeHtml(options.text)}</p>`,
      },
    ],
    entities,
    ...(options.threadId ? { replyToId: options.threadId } : {}),
    locale: 'en-US',
    localTimezone: 'Europe/Berlin',
  };
}

export interface BotInstalledInTeamOptions extends TeamsContextOptions {
  readonly from: TeamsUser;
}

/** What Teams sends when the app is added to a team: a conversationUpdate and an installationUpdate. */
export function botInstalledInTeam(
  options: BotInstalledInTeamOptions,
): readonly [TeamsActivity, TeamsActivity] {
  const { bot, from } = options;
  const context = resolveContext(options);
  const common = {
    channelId: 'msteams',
    serviceUrl: options.serviceUrl,
    from: { id: from.id, name: from.name, aadObjectId: from.aadObjectId },
    recipient: { id: bot.id, name: bot.name },
    conversation: {
      id: context.team.id,
      conversationType: 'channel',
      isGroup: true,
      tenantId: context.tenantId,
    },
  } as const;
  const team = {
    id: context.team.id,
    name: context.team.name,
    aadGroupId: context.team.aadGroupId,
  };
  const conversationUpdate: TeamsActivity = {
    ...common,
    type: 'conversationUpdate',
    id: newInvokeId(),
    timestamp: new Date().toISOString(),
    membersAdded: [{ id: bot.id }],
    channelData: { team, eventType: 'teamMemberAdded', tenant: { id: context.tenantId } },
  };
  const installationUpdate: TeamsActivity = {
    ...common,
    type: 'installationUpdate',
    id: newInvokeId(),
    timestamp: new Date().toISOString(),
    action: 'add',
    channelData: {
      settings: { selectedChannel: { id: context.channel.id } },
      team,
      tenant: { id: context.tenantId },
      source: null,
    },
    locale: 'en-US',
  };
  return [conversationUpdate, installationUpdate];
}

export interface CardActionInvokeOptions {
  readonly verb: string;
  readonly data?: Readonly<Record<string, unknown>>;
  readonly from: TeamsUser;
  /** Id of the message that carries the card. */
  readonly replyToId: string;
  /** The card's conversation, e.g. `19:...@thread.tacv2;messageid=<root>`. */
  readonly conversationId: string;
  readonly serviceUrl: string;
  readonly bot: TeamsBot;
  readonly tenantId?: string;
  readonly team?: TeamsTeam;
  readonly actionId?: string;
  /** `automatic` is what a card `refresh` sends. */
  readonly trigger?: 'manual' | 'automatic';
}

export function cardActionInvoke(options: CardActionInvokeOptions): TeamsActivity {
  const { bot, from } = options;
  const tenantId = options.tenantId ?? TEAMS_TENANT_ID;
  const team = options.team ?? TEAMS_TEAM;
  const channelId = options.conversationId.split(';messageid=')[0] ?? options.conversationId;
  return {
    type: 'invoke',
    name: 'adaptiveCard/action',
    id: newInvokeId(),
    timestamp: new Date().toISOString(),
    localTimestamp: new Date().toISOString(),
    channelId: 'msteams',
    serviceUrl: options.serviceUrl,
    from: { id: from.id, name: from.name, aadObjectId: from.aadObjectId },
    recipient: { id: bot.id, name: bot.name },
    conversation: {
      id: options.conversationId,
      conversationType: 'channel',
      isGroup: true,
      tenantId,
    },
    entities: [
      {
        type: 'clientInfo',
        locale: 'en-US',
        country: 'US',
        platform: 'Web',
        timezone: 'Europe/Berlin',
      },
    ],
    channelData: {
      ...channelDataFor({ tenantId, team, channel: { id: channelId } }),
      source: { name: 'message' },
    },
    replyToId: options.replyToId,
    value: {
      action: {
        type: 'Action.Execute',
        id: options.actionId ?? `action-${options.verb}`,
        verb: options.verb,
        data: options.data ?? {},
      },
      trigger: options.trigger ?? 'manual',
    },
    locale: 'en-US',
    localTimezone: 'Europe/Berlin',
  };
}

export interface PostActivityResult {
  readonly status: number;
  /** Parsed JSON when the body is JSON, else the raw text ('' when empty). */
  readonly body: unknown;
}

/** POSTs an activity to the bot's messaging endpoint the way the Bot Framework channel does. */
export async function postActivity(
  botUrl: string,
  activity: TeamsActivity | Readonly<Record<string, unknown>>,
  token?: string,
): Promise<PostActivityResult> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  const response = await fetch(botUrl, { method: 'POST', headers, body: JSON.stringify(activity) });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = text === '' ? '' : JSON.parse(text);
  } catch {
    // Not JSON (botbuilder answers 401 with a plain string): keep the text.
  }
  return { status: response.status, body };
}

const ADAPTIVE_CARD_TYPE = 'application/vnd.microsoft.card.adaptive';
const MESSAGE_TYPE = 'application/vnd.microsoft.activity.message';

/** What the person who clicked sees of the bot's answer to an `adaptiveCard/action` invoke. */
export type InvokeAnswerShown =
  | { readonly kind: 'card'; readonly card: Record<string, unknown> }
  | { readonly kind: 'message'; readonly text: string }
  | { readonly kind: 'something-went-wrong'; readonly status: number };

/**
 * How Teams treats an invoke answer. The Universal Actions docs ("Universal Action Model",
 * learn.microsoft.com/adaptive-cards/authoring-cards/universal-action-model, response format;
 * reference/teams.md §4) give two answers a person can read: 200 with
 * `application/vnd.microsoft.card.adaptive` (replaces the card for the clicker) and 200 with
 * `application/vnd.microsoft.activity.message` (a message shown to them). Error status codes
 * and any other shape leave the clicker with Teams' own "Something went wrong" (botbuilder-js
 * issues #3776 and #4445): the message in an error body never reaches them.
 */
export function shownForInvoke(answer: PostActivityResult): InvokeAnswerShown {
  const body = answer.body as { statusCode?: unknown; type?: unknown; value?: unknown } | null;
  const ok = answer.status === 200 && body?.statusCode === 200;
  if (ok && body.type === ADAPTIVE_CARD_TYPE && isCard(body.value)) {
    return { kind: 'card', card: body.value };
  }
  if (ok && body.type === MESSAGE_TYPE && typeof body.value === 'string' && body.value !== '') {
    return { kind: 'message', text: body.value };
  }
  return { kind: 'something-went-wrong', status: answer.status };
}

/** Like a person in Teams, fails when the answer would show "Something went wrong". */
export function readableInvokeAnswer(
  answer: PostActivityResult,
): Exclude<InvokeAnswerShown, { kind: 'something-went-wrong' }> {
  const shown = shownForInvoke(answer);
  if (shown.kind === 'something-went-wrong') {
    throw new Error(
      `Teams would show "Something went wrong" for this invoke answer: HTTP ${answer.status} ${JSON.stringify(answer.body).slice(0, 300)}`,
    );
  }
  return shown;
}

function isCard(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { type?: unknown }).type === 'AdaptiveCard'
  );
}

function resolveContext(options: { tenantId?: string; team?: TeamsTeam; channel?: TeamsChannel }) {
  const team = options.team ?? TEAMS_TEAM;
  return {
    tenantId: options.tenantId ?? TEAMS_TENANT_ID,
    team,
    channel: options.channel ?? { id: team.id, name: 'General' },
  };
}

function channelDataFor(context: {
  tenantId: string;
  team: TeamsTeam;
  channel: TeamsChannel;
}): TeamsChannelData {
  return {
    teamsChannelId: context.channel.id,
    teamsTeamId: context.team.id,
    channel: {
      id: context.channel.id,
      ...(context.channel.name ? { name: context.channel.name } : {}),
    },
    team: {
      id: context.team.id,
      ...(context.team.name ? { name: context.team.name } : {}),
      ...(context.team.aadGroupId ? { aadGroupId: context.team.aadGroupId } : {}),
    },
    tenant: { id: context.tenantId },
  };
}

let lastMessageId = 0;

function newMessageId(): string {
  lastMessageId = Math.max(Date.now(), lastMessageId + 1);
  return String(lastMessageId);
}

function newInvokeId(): string {
  return `f:${BigInt(`0x${randomBytes(8).toString('hex')}`)
    .toString()
    .padStart(19, '0')}`;
}

function escapeHtml(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
