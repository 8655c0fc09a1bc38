import {
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  MessageFactory,
  type Activity,
  type ConfigurationBotFrameworkAuthenticationOptions,
  type InvokeResponse,
  type TurnContext,
} from 'botbuilder';
import {
  AuthenticationError,
  type AuthenticateRequestResult,
  type ClaimsIdentity,
  type ServiceClientCredentialsFactory,
} from 'botframework-connector';

export type { ServiceClientCredentialsFactory };
import type { Secrets, TeamsConfig } from '../config/config.js';
import type { CardRef } from '../core/case.js';
import { TeamsRefusedError, type Log, type Messenger } from '../workflows/ports/index.js';
import { caseCardAttachment, type CardContext } from './render-case-card.js';

const DEFAULT_CHANNEL_SCOPE = 'https://api.botframework.com';

/** True when `serviceUrl` is the Teams connector, the only place GroupGuard posts to. */
export function teamsConnectorCheck(config: TeamsConfig): (serviceUrl: string) => boolean {
  // The unauthenticated demo talks to the Agents Playground on loopback only.
  if (!config.authEnabled) return () => true;
  const origins = new Set(config.serviceUrlOrigins);
  return (serviceUrl) => {
    try {
      return origins.has(new URL(serviceUrl).origin);
    } catch {
      return false;
    }
  };
}

/**
 * What botbuilder lets through but GroupGuard refuses: its emulator path accepts Entra tokens
 * minted with the bot's own credentials (issuer sts.windows.net or login.microsoftonline.com,
 * any tenant) and checks no serviceurl claim; its keys serve other channels too.
 */
function refusalOf(
  config: TeamsConfig,
  isConnector: (serviceUrl: string) => boolean,
  activity: Activity,
  identity: ClaimsIdentity,
): string | null {
  if (!config.authEnabled) return null;
  if (identity.getClaimValue('iss') !== config.channelIssuer) {
    return 'the token is not from the Bot Framework channel';
  }
  if (activity.channelId !== 'msteams') return 'the activity is not from Teams';
  if (!isConnector(activity.serviceUrl ?? '')) {
    return 'the serviceUrl is not a Teams connector (TEAMS_SERVICE_URL_ORIGINS)';
  }
  return null;
}

/**
 * botbuilder answers 401 only for its own AuthenticationError; a bad signature under a known
 * key or a token not yet valid escape as other errors and become 500. Every failure to
 * authenticate the request is a 401 here, and the turn never starts. So is a request from
 * anywhere but Teams through Microsoft's connector.
 */
class StrictAuthCloudAdapter extends CloudAdapter {
  constructor(
    auth: ConfigurationBotFrameworkAuthentication,
    private readonly refuses: (activity: Activity, identity: ClaimsIdentity) => string | null,
  ) {
    super(auth);
  }

  protected override async processActivity(
    auth: string | AuthenticateRequestResult,
    activity: Activity,
    logic: (context: TurnContext) => Promise<void>,
  ): Promise<InvokeResponse | undefined> {
    if (typeof auth !== 'string') return super.processActivity(auth, activity, logic);
    let authenticated: AuthenticateRequestResult;
    try {
      authenticated = await this.botFrameworkAuthentication.authenticateRequest(activity, auth);
    } catch (error) {
      if (error instanceof AuthenticationError) throw error;
      throw new AuthenticationError('Unauthorized: the token could not be validated.', 401);
    }
    const refusal = this.refuses(activity, authenticated.claimsIdentity);
    if (refusal) throw new AuthenticationError(`Unauthorized: ${refusal}.`, 401);
    return super.processActivity(authenticated, activity, logic);
  }
}

export function createTeamsAdapter(
  config: TeamsConfig,
  secrets: Secrets,
  log: Log,
  credentialsFactory?: ServiceClientCredentialsFactory,
): CloudAdapter {
  const auth = new ConfigurationBotFrameworkAuthentication(
    { ...config.settings, ...secrets.bot } as ConfigurationBotFrameworkAuthenticationOptions,
    credentialsFactory,
  );
  const isConnector = teamsConnectorCheck(config);
  const adapter = new StrictAuthCloudAdapter(auth, (activity, identity) => {
    const refusal = refusalOf(config, isConnector, activity, identity);
    if (refusal) log.warn({ refusal, channelId: activity.channelId }, 'teams activity refused');
    return refusal;
  });
  adapter.onTurnError = async (ctx: TurnContext, error: Error) => {
    log.error({ err: error, activityType: ctx.activity.type }, 'teams turn failed');
    // Proactive turns report to the caller (the outbox), which retries.
    if (ctx.activity.type === 'event' || ctx.activity.name === 'CreateConversation') throw error;
  };
  return adapter;
}

/** `19:abc@thread.tacv2;messageid=1712` → the bare message id Teams uses for updates. */
export function messageIdOf(threadConversationId: string): string | null {
  const match = /;messageid=([^;]+)$/.exec(threadConversationId);
  return match?.[1] ?? null;
}

/**
 * The Bot Connector's final refusals: 403 when the bot is no longer in the team or chat
 * ("Proactive messages", Teams docs: a blocked or uninstalled bot gets 403), 404 when the
 * conversation or message is gone. botbuilder's RestError carries the HTTP status.
 */
function refusal(error: unknown): unknown {
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  return status === 403 || status === 404
    ? new TeamsRefusedError(status, `Teams answered ${status}`)
    : error;
}

export function createTeamsMessenger(
  adapter: CloudAdapter,
  config: TeamsConfig,
  cardContext: () => Promise<CardContext>,
): Messenger {
  const appId = config.appId;
  const audience = config.settings.ToChannelFromBotOAuthScope ?? DEFAULT_CHANNEL_SCOPE;
  const isConnector = teamsConnectorCheck(config);
  const connector = (serviceUrl: string) => {
    // A stored serviceUrl from before the allow-list, or written into the database, is not called.
    if (!isConnector(serviceUrl))
      throw new Error('serviceUrl is not a Teams connector, not called');
    return serviceUrl;
  };
  return {
    async postCaseCard({ channel, case: c }) {
      let card: CardRef | null = null;
      await adapter
        .createConversationAsync(
          appId,
          'msteams',
          connector(channel.serviceUrl),
          audience,
          {
            isGroup: true,
            channelData: { channel: { id: channel.channelId }, tenant: { id: channel.tenantId } },
            activity: MessageFactory.attachment(caseCardAttachment(c, await cardContext())),
            tenantId: channel.tenantId,
          } as never,
          async (ctx) => {
            const conversationId = ctx.activity.conversation.id;
            card = {
              serviceUrl: channel.serviceUrl,
              conversationId,
              activityId: messageIdOf(conversationId) ?? ctx.activity.id ?? conversationId,
            };
          },
        )
        .catch((error: unknown) => {
          throw refusal(error);
        });
      if (!card) throw new Error('Teams created the post but returned no conversation id');
      return card;
    },

    async updateCaseCard(card, c) {
      const attachment = caseCardAttachment(c, await cardContext());
      let failure: unknown = null;
      await adapter.continueConversationAsync(
        appId,
        {
          channelId: 'msteams',
          serviceUrl: connector(card.serviceUrl),
          conversation: { id: card.conversationId } as never,
        },
        audience,
        async (ctx) => {
          try {
            await ctx.updateActivity({
              id: card.activityId,
              type: 'message',
              attachments: [attachment],
            });
          } catch (error) {
            failure = error;
          }
        },
      );
      if (failure) throw refusal(failure);
    },
  };
}
