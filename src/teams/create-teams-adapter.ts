import {
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  MessageFactory,
  type ConfigurationBotFrameworkAuthenticationOptions,
  type TurnContext,
} from 'botbuilder';
import type { ServiceClientCredentialsFactory } from 'botframework-connector';

export type { ServiceClientCredentialsFactory };
import type { TeamsConfig } from '../config/config.js';
import type { CardRef } from '../core/case.js';
import type { Log, Messenger } from '../workflows/ports.js';
import { caseCardAttachment } from './render-case-card.js';

const DEFAULT_CHANNEL_SCOPE = 'https://api.botframework.com';

export function createTeamsAdapter(
  config: TeamsConfig,
  log: Log,
  credentialsFactory?: ServiceClientCredentialsFactory,
): CloudAdapter {
  const auth = new ConfigurationBotFrameworkAuthentication(
    config.settings as ConfigurationBotFrameworkAuthenticationOptions,
    credentialsFactory,
  );
  const adapter = new CloudAdapter(auth);
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

export function createTeamsMessenger(adapter: CloudAdapter, config: TeamsConfig): Messenger {
  const appId = config.appId;
  const audience = config.settings.ToChannelFromBotOAuthScope ?? DEFAULT_CHANNEL_SCOPE;
  return {
    async postCaseCard({ channel, case: c }) {
      let card: CardRef | null = null;
      await adapter.createConversationAsync(
        appId,
        'msteams',
        channel.serviceUrl,
        audience,
        {
          isGroup: true,
          channelData: { channel: { id: channel.channelId }, tenant: { id: channel.tenantId } },
          activity: MessageFactory.attachment(caseCardAttachment(c)),
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
      );
      if (!card) throw new Error('Teams created the post but returned no conversation id');
      return card;
    },

    async updateCaseCard(card, c) {
      let failure: unknown = null;
      await adapter.continueConversationAsync(
        appId,
        {
          channelId: 'msteams',
          serviceUrl: card.serviceUrl,
          conversation: { id: card.conversationId } as never,
        },
        audience,
        async (ctx) => {
          try {
            await ctx.updateActivity({
              id: card.activityId,
              type: 'message',
              attachments: [caseCardAttachment(c)],
            });
          } catch (error) {
            failure = error;
          }
        },
      );
      if (failure) throw failure;
    },
  };
}
