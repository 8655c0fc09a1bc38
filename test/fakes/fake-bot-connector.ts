import { EventEmitter } from 'node:events';
import type { LocalIdentityProvider } from './local-identity-provider.js';
import {
  startLoopbackServer,
  type LoopbackRequest,
  type LoopbackResponse,
} from './loopback-server.js';

export interface ConnectorFaults {
  /** Probability (0..1) that a request is answered 429 with `Retry-After`. */
  readonly throttle429?: number;
  /** Probability (0..1) that a request is answered 500 or 503. */
  readonly error5xx?: number;
  readonly seed?: number;
  /** Default 1. botbuilder's HTTP pipeline sleeps this long before each of its 3 automatic retries. */
  readonly retryAfterSeconds?: number;
}

export type FaultStatus = 429 | 500 | 503;

export interface FakeBotConnectorOptions {
  /** When given, every request needs `Authorization: Bearer <token this IdP issued for its oauthScope>`. */
  readonly identityProvider?: LocalIdentityProvider;
  readonly faults?: ConnectorFaults;
  /** Default true: updating or deleting an activity this connector never issued is a 404, as in Teams. */
  readonly strictActivityIds?: boolean;
}

export type ConnectorOperation =
  | 'createConversation'
  | 'sendToConversation'
  | 'replyToActivity'
  | 'updateActivity'
  | 'deleteActivity'
  | 'unknown';

export interface ConnectorAttachment {
  readonly contentType: string;
  readonly content?: unknown;
  readonly [key: string]: unknown;
}

export interface ConnectorActivity {
  readonly type?: string;
  readonly id?: string;
  readonly text?: string;
  readonly replyToId?: string;
  readonly attachments?: readonly ConnectorAttachment[];
  readonly [key: string]: unknown;
}

export interface ConnectorRequestRecord {
  readonly seq: number;
  readonly at: number;
  readonly method: string;
  readonly path: string;
  readonly operation: ConnectorOperation;
  /** Decoded from the path (Teams ids carry `:`, `@`, `;`); for createConversation, the id it created. */
  readonly conversationId?: string;
  /** Decoded path activity id: the updated/deleted activity, or the replyToId of a reply. */
  readonly activityId?: string;
  /** Id this connector assigned to a new message (createConversation, send, reply). */
  readonly newActivityId?: string;
  readonly body: unknown;
  readonly authorizationPresent: boolean;
  /** Undefined when the connector runs without an identity provider. */
  readonly authorizationValid?: boolean;
  readonly authorizationError?: string;
  readonly status: number;
  readonly fault?: FaultStatus;
  readonly response: unknown;
}

export interface ChannelPostRecord {
  /** `<channelId>;messageid=<activityId>`, the new thread's conversation id. */
  readonly conversationId: string;
  readonly activityId: string;
  readonly channelId: string;
  readonly tenantId?: string;
  readonly activity: ConnectorActivity;
  readonly card?: unknown;
  readonly request: ConnectorRequestRecord;
}

export interface ReplyRecord {
  readonly conversationId: string;
  readonly replyToId?: string;
  readonly activityId: string;
  readonly activity: ConnectorActivity;
  readonly text?: string;
  readonly card?: unknown;
  readonly request: ConnectorRequestRecord;
}

export interface ActivityUpdateRecord {
  readonly conversationId: string;
  readonly activityId: string;
  readonly activity: ConnectorActivity;
  readonly card?: unknown;
  readonly request: ConnectorRequestRecord;
}

export interface ActivityDeleteRecord {
  readonly conversationId: string;
  readonly activityId: string;
  readonly request: ConnectorRequestRecord;
}

export interface StoredMessage {
  readonly conversationId: string;
  readonly activityId: string;
  readonly activity: ConnectorActivity;
  readonly card?: unknown;
  readonly updateCount: number;
  readonly deleted: boolean;
}

export type RequestPredicate = (
  record: ConnectorRequestRecord,
  all: readonly ConnectorRequestRecord[],
) => boolean;

export interface FakeBotConnector {
  /** `http://127.0.0.1:PORT/`, with the trailing slash Teams service URLs have. */
  readonly serviceUrl: string;
  readonly requests: readonly ConnectorRequestRecord[];
  /** Successful createConversation calls (new channel threads). */
  posts(): ChannelPostRecord[];
  /** Successful sendToConversation and replyToActivity calls. */
  replies(): ReplyRecord[];
  updates(activityId?: string): ActivityUpdateRecord[];
  deletes(): ActivityDeleteRecord[];
  message(activityId: string): StoredMessage | undefined;
  /** Resolves with the first recorded request (past or future) for which the predicate holds. */
  waitFor(predicate: RequestPredicate, timeoutMs?: number): Promise<ConnectorRequestRecord>;
  describe(): string;
  setFaults(faults: ConnectorFaults): void;
  /** The next `count` accepted requests get `status`, before any probabilistic fault. */
  failNext(count: number, status?: FaultStatus): void;
  /**
   * The bot was removed from the team that owns this channel: posts and updates there get 403,
   * as Teams answers a bot that is no longer installed ("Proactive messages", Teams docs).
   */
  removeBotFromChannel(channelId: string): void;
  /** The bot was installed in that team again. */
  addBotToChannel(channelId: string): void;
  /** Someone deleted the message in Teams: updating it gets 404. */
  deleteMessage(activityId: string): void;
  /** Clears the recorded requests; messages already posted stay updatable. */
  reset(): void;
  stop(): Promise<void>;
}

const ADAPTIVE_CARD = 'application/vnd.microsoft.card.adaptive';

interface MutableMessage {
  conversationId: string;
  activityId: string;
  activity: ConnectorActivity;
  updateCount: number;
  deleted: boolean;
}

interface Route {
  readonly operation: ConnectorOperation;
  readonly conversationId?: string;
  readonly activityId?: string;
}

export async function startFakeBotConnector(
  options: FakeBotConnectorOptions = {},
): Promise<FakeBotConnector> {
  const { identityProvider } = options;
  const strict = options.strictActivityIds ?? true;
  const requests: ConnectorRequestRecord[] = [];
  const messages = new Map<string, MutableMessage>();
  const events = new EventEmitter();
  let faults: ConnectorFaults = options.faults ?? {};
  let random = seededRandom(faults.seed ?? 1);
  const forcedFaults: FaultStatus[] = [];
  let seq = 0;
  let lastMessageId = 0;
  let serviceUrl = '';
  const botRemovedFrom = new Set<string>();

  const nextMessageId = () => {
    // Teams message ids are millisecond timestamps; keep them unique and increasing.
    lastMessageId = Math.max(Date.now(), lastMessageId + 1);
    return String(lastMessageId);
  };

  const record = (entry: Omit<ConnectorRequestRecord, 'seq' | 'at'>): ConnectorRequestRecord => {
    const full: ConnectorRequestRecord = { seq: ++seq, at: Date.now(), ...entry };
    requests.push(full);
    events.emit('record', full);
    return full;
  };

  const handle = (request: LoopbackRequest): LoopbackResponse => {
    const authorization = request.headers.authorization;
    const authorizationPresent = typeof authorization === 'string' && authorization.length > 0;
    let body: unknown;
    try {
      body = request.rawBody === '' ? undefined : JSON.parse(request.rawBody);
    } catch {
      body = request.rawBody;
    }
    const route = parseRoute(request.method, request.path);
    const base = {
      method: request.method,
      path: request.path,
      operation: route?.operation ?? 'unknown',
      conversationId: route?.conversationId,
      activityId: route?.activityId,
      body,
      authorizationPresent,
    } as const;
    const respond = (
      status: number,
      response: unknown,
      extra: Partial<ConnectorRequestRecord> = {},
      headers?: Record<string, string>,
    ): LoopbackResponse => {
      record({ ...base, ...extra, status, response });
      return { status, headers, body: response };
    };

    let auth: Pick<ConnectorRequestRecord, 'authorizationValid' | 'authorizationError'> = {};
    if (identityProvider) {
      const match = /^Bearer (.+)$/.exec(authorization ?? '');
      const check = match?.[1]
        ? identityProvider.checkAccessToken(match[1])
        : ({
            valid: false,
            reason: authorizationPresent ? 'not a Bearer token' : 'missing',
          } as const);
      auth = check.valid
        ? { authorizationValid: true }
        : { authorizationValid: false, authorizationError: check.reason };
      if (!check.valid) {
        return respond(401, { message: 'Authorization has been denied for this request.' }, auth);
      }
    }

    if (!route) {
      return respond(
        404,
        errorBody('NotFound', `No route for ${request.method} ${request.path}`),
        auth,
      );
    }
    if (route.operation === 'unknown') {
      return respond(400, errorBody('BadArgument', `Malformed id in ${request.path}`), auth);
    }

    const targetChannel =
      route.operation === 'createConversation'
        ? channelIdOfParameters(body)
        : channelOf(route.conversationId ?? '');
    if (targetChannel && botRemovedFrom.has(targetChannel)) {
      return respond(
        403,
        errorBody('BotNotInConversationRoster', 'The bot is not part of the conversation roster.'),
        auth,
      );
    }

    const fault = forcedFaults.shift() ?? drawFault(faults, random);
    if (fault === 429) {
      return respond(
        429,
        errorBody('TooManyRequests', 'Too many requests, retry later.'),
        { ...auth, fault },
        { 'retry-after': String(faults.retryAfterSeconds ?? 1) },
      );
    }
    if (fault) {
      return respond(fault, errorBody('ServiceError', `Injected ${fault}.`), { ...auth, fault });
    }

    const activity = asActivity(body);
    switch (route.operation) {
      case 'createConversation': {
        const parameters = isObject(body) ? body : {};
        const channelData = isObject(parameters.channelData) ? parameters.channelData : {};
        const channel = isObject(channelData.channel) ? channelData.channel : {};
        const members = Array.isArray(parameters.members) ? parameters.members : [];
        let conversationBase: string;
        if (typeof channel.id === 'string' && channel.id !== '') {
          conversationBase = channel.id;
        } else if (members.length > 0 && parameters.isGroup !== true) {
          conversationBase = `a:1${nextMessageId()}`;
        } else {
          return respond(
            400,
            errorBody(
              'BadArgument',
              'channelData.channel.id (or members for a 1:1 chat) is required.',
            ),
            auth,
          );
        }
        const activityId = nextMessageId();
        const conversationId = conversationBase.startsWith('19:')
          ? `${conversationBase};messageid=${activityId}`
          : conversationBase;
        if (activity) messages.set(activityId, newMessage(conversationId, activityId, activity));
        return respond(
          201,
          { id: conversationId, activityId, serviceUrl },
          { ...auth, conversationId, newActivityId: activityId },
        );
      }
      case 'sendToConversation':
      case 'replyToActivity': {
        if (!activity)
          return respond(400, errorBody('BadArgument', 'Activity body required.'), auth);
        const activityId = nextMessageId();
        messages.set(activityId, newMessage(route.conversationId ?? '', activityId, activity));
        return respond(200, { id: activityId }, { ...auth, newActivityId: activityId });
      }
      case 'updateActivity':
      case 'deleteActivity': {
        const stored = messages.get(route.activityId ?? '');
        const known =
          stored !== undefined &&
          !stored.deleted &&
          channelOf(stored.conversationId) === channelOf(route.conversationId ?? '');
        if (strict && !known) {
          return respond(
            404,
            errorBody(
              'NotFound',
              `Activity ${route.activityId} not found in conversation ${route.conversationId}.`,
            ),
            auth,
          );
        }
        if (route.operation === 'deleteActivity') {
          if (stored) stored.deleted = true;
          return respond(200, undefined, auth);
        }
        if (!activity)
          return respond(400, errorBody('BadArgument', 'Activity body required.'), auth);
        if (stored) {
          stored.activity = activity;
          stored.updateCount += 1;
        }
        return respond(200, { id: route.activityId }, auth);
      }
    }
  };

  const server = await startLoopbackServer(handle);
  serviceUrl = `${server.origin}/`;

  const succeeded = (operation: ConnectorOperation) =>
    requests.filter((r) => r.operation === operation && r.status >= 200 && r.status < 300);

  const describe = () =>
    requests.length === 0 ? '  (nothing recorded)' : requests.map(describeRecord).join('\n');

  return {
    serviceUrl,
    requests,
    posts: () =>
      succeeded('createConversation').map((request) => {
        const parameters = isObject(request.body) ? request.body : {};
        const activity = asActivity(parameters.activity) ?? {};
        const channelData = isObject(parameters.channelData) ? parameters.channelData : {};
        const channel = isObject(channelData.channel) ? channelData.channel : {};
        return {
          conversationId: request.conversationId ?? '',
          activityId: request.newActivityId ?? '',
          channelId: typeof channel.id === 'string' ? channel.id : '',
          tenantId: typeof parameters.tenantId === 'string' ? parameters.tenantId : undefined,
          activity,
          card: adaptiveCardOf(activity),
          request,
        };
      }),
    replies: () =>
      requests
        .filter(
          (r) =>
            (r.operation === 'sendToConversation' || r.operation === 'replyToActivity') &&
            r.status >= 200 &&
            r.status < 300,
        )
        .map((request) => {
          const activity = asActivity(request.body) ?? {};
          return {
            conversationId: request.conversationId ?? '',
            replyToId: request.activityId,
            activityId: request.newActivityId ?? '',
            activity,
            text: activity.text,
            card: adaptiveCardOf(activity),
            request,
          };
        }),
    updates: (activityId) =>
      succeeded('updateActivity')
        .filter((r) => activityId === undefined || r.activityId === activityId)
        .map((request) => {
          const activity = asActivity(request.body) ?? {};
          return {
            conversationId: request.conversationId ?? '',
            activityId: request.activityId ?? '',
            activity,
            card: adaptiveCardOf(activity),
            request,
          };
        }),
    deletes: () =>
      succeeded('deleteActivity').map((request) => ({
        conversationId: request.conversationId ?? '',
        activityId: request.activityId ?? '',
        request,
      })),
    message(activityId) {
      const stored = messages.get(activityId);
      return stored && { ...stored, card: adaptiveCardOf(stored.activity) };
    },
    waitFor(predicate, timeoutMs = 5000) {
      const existing = requests.find((r) => predicate(r, requests));
      if (existing) return Promise.resolve(existing);
      return new Promise((resolve, reject) => {
        const onRecord = (entry: ConnectorRequestRecord) => {
          if (!predicate(entry, requests)) return;
          clearTimeout(timer);
          events.off('record', onRecord);
          resolve(entry);
        };
        const timer = setTimeout(() => {
          events.off('record', onRecord);
          reject(
            new Error(
              `FakeBotConnector.waitFor: no matching request within ${timeoutMs} ms. ` +
                `Recorded ${requests.length} request(s):\n${describe()}`,
            ),
          );
        }, timeoutMs);
        events.on('record', onRecord);
      });
    },
    describe,
    setFaults(next) {
      faults = next;
      random = seededRandom(next.seed ?? 1);
    },
    failNext(count, status = 429) {
      for (let i = 0; i < count; i += 1) forcedFaults.push(status);
    },
    removeBotFromChannel(channelId) {
      botRemovedFrom.add(channelId);
    },
    addBotToChannel(channelId) {
      botRemovedFrom.delete(channelId);
    },
    deleteMessage(activityId) {
      const stored = messages.get(activityId);
      if (!stored) throw new Error(`no message ${activityId} to delete`);
      stored.deleted = true;
    },
    reset() {
      requests.length = 0;
    },
    stop: () => server.stop(),
  };
}

function parseRoute(method: string, path: string): Route | undefined {
  const segments = path.split('/').filter((s) => s !== '');
  if (segments[0] !== 'v3' || segments[1] !== 'conversations') return undefined;
  let decoded: string[];
  try {
    decoded = segments.slice(2).map((s) => decodeURIComponent(s));
  } catch {
    return { operation: 'unknown' };
  }
  const [conversationId, activities, activityId, ...rest] = decoded;
  if (rest.length > 0) return undefined;
  if (conversationId === undefined) {
    return method === 'POST' ? { operation: 'createConversation' } : undefined;
  }
  if (activities !== 'activities') return undefined;
  if (activityId === undefined) {
    return method === 'POST' ? { operation: 'sendToConversation', conversationId } : undefined;
  }
  const operation =
    method === 'POST'
      ? 'replyToActivity'
      : method === 'PUT'
        ? 'updateActivity'
        : method === 'DELETE'
          ? 'deleteActivity'
          : undefined;
  return operation && { operation, conversationId, activityId };
}

function drawFault(faults: ConnectorFaults, random: () => number): FaultStatus | undefined {
  const throttle = faults.throttle429 ?? 0;
  const error = faults.error5xx ?? 0;
  if (throttle <= 0 && error <= 0) return undefined;
  const roll = random();
  if (roll < throttle) return 429;
  if (roll < throttle + error) return random() < 0.5 ? 500 : 503;
  return undefined;
}

// mulberry32: tiny, deterministic, good enough to make fault sequences reproducible from a seed.
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function channelIdOfParameters(body: unknown): string | undefined {
  const channelData = isObject(body) && isObject(body.channelData) ? body.channelData : {};
  const channel = isObject(channelData.channel) ? channelData.channel : {};
  return typeof channel.id === 'string' ? channel.id : undefined;
}

function channelOf(conversationId: string): string {
  return conversationId.split(';messageid=')[0] ?? conversationId;
}

function newMessage(
  conversationId: string,
  activityId: string,
  activity: ConnectorActivity,
): MutableMessage {
  return { conversationId, activityId, activity, updateCount: 0, deleted: false };
}

function errorBody(code: string, message: string) {
  return { error: { code, message } };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function asActivity(value: unknown): ConnectorActivity | undefined {
  return isObject(value) ? (value as ConnectorActivity) : undefined;
}

function adaptiveCardOf(activity: ConnectorActivity): unknown {
  return activity.attachments?.find((a) => a.contentType === ADAPTIVE_CARD)?.content;
}

function describeRecord(r: ConnectorRequestRecord): string {
  const auth =
    r.authorizationValid === undefined
      ? r.authorizationPresent
        ? 'auth=present'
        : 'auth=none'
      : r.authorizationValid
        ? 'auth=valid'
        : `auth=invalid(${r.authorizationError ?? '?'})`;
  const ids = [
    r.conversationId && `conv=${r.conversationId}`,
    r.activityId && `activity=${r.activityId}`,
    r.newActivityId && `new=${r.newActivityId}`,
  ]
    .filter(Boolean)
    .join(' ');
  const fault = r.fault ? ` fault=${r.fault}` : '';
  return `  #${r.seq} ${r.method} ${r.operation} ${ids} -> ${r.status} ${auth}${fault}`;
}
