import {
  TeamsActivityHandler,
  TurnContext,
  type Activity,
  type AdaptiveCardInvokeResponse,
  type AdaptiveCardInvokeValue,
} from 'botbuilder';
import { z } from 'zod';
import type { Config } from '../config/config.js';
import type { DemoTenant } from '../workflows/demo-tenant.js';
import type { DecisionOutcome } from '../workflows/decide-case.js';
import { CaseNotFoundError, type AlertChannel, type Log, type Store } from '../workflows/ports.js';
import type { CardAction } from './card-actions/card-action.js';
import type { Command } from './commands/command.js';
import { findCommand } from './commands/index.js';
import { ADAPTIVE_CARD_CONTENT_TYPE, renderCaseCard } from './render-case-card.js';

export interface GroupGuardBotDeps {
  mode: Config['mode'];
  store: Store;
  log: Log;
  commands: readonly Command[];
  cardActions: ReadonlyMap<string, CardAction>;
  demoTenant: DemoTenant | null;
}

const cardData = z.object({
  caseId: z.coerce
    .number()
    .int()
    .positive()
    .max(2 ** 31),
  version: z.coerce
    .number()
    .int()
    .positive()
    .max(2 ** 31),
});

const ERROR_TYPE = 'application/vnd.microsoft.error';

function errorResponse(
  statusCode: number,
  code: string,
  message: string,
): AdaptiveCardInvokeResponse {
  return { statusCode, type: ERROR_TYPE, value: { code, message } as never };
}

/** The channel a Teams activity came from, when it came from a team. */
export function alertChannelOf(activity: Activity): AlertChannel | null {
  const data = (activity.channelData ?? {}) as {
    team?: { id?: string };
    channel?: { id?: string };
    tenant?: { id?: string };
    settings?: { selectedChannel?: { id?: string } };
  };
  const teamId = data.team?.id;
  if (!teamId || !activity.serviceUrl) return null;
  return {
    serviceUrl: activity.serviceUrl,
    tenantId: data.tenant?.id ?? activity.conversation?.tenantId ?? '',
    teamId,
    channelId: data.channel?.id ?? data.settings?.selectedChannel?.id ?? teamId,
  };
}

function noticeFor(outcome: DecisionOutcome): string {
  const d = outcome.case.decision;
  switch (outcome.kind) {
    case 'decided':
      return '';
    case 'already-decided':
      return d ? `Already decided by ${d.by.name} at ${d.at}.` : 'This case was already decided.';
    case 'stale':
      return 'This card was out of date. Here is the current case; nothing was changed.';
    case 'refused':
      return outcome.reason;
    case 'failed':
      return `Restore failed: ${outcome.reason}`;
  }
}

export class GroupGuardBot extends TeamsActivityHandler {
  constructor(private readonly deps: GroupGuardBotDeps) {
    super();
    this.onInstallationUpdateAdd(async (ctx, next) => {
      await this.bindChannel(ctx, true);
      await next();
    });
    this.onMembersAdded(async (ctx, next) => {
      const botAdded = ctx.activity.membersAdded?.some((m) => m.id === ctx.activity.recipient.id);
      if (botAdded) await this.bindChannel(ctx, true);
      await next();
    });
    this.onMessage(async (ctx, next) => {
      await this.handleMessage(ctx);
      await next();
    });
  }

  private async bindChannel(ctx: TurnContext, overwrite: boolean): Promise<void> {
    const channel = alertChannelOf(ctx.activity);
    if (!channel) return;
    if (!overwrite && (await this.deps.store.getAlertChannel())) return;
    await this.deps.store.setAlertChannel(channel);
    this.deps.log.info(
      { teamId: channel.teamId, channelId: channel.channelId },
      'alert channel bound',
    );
  }

  private async handleMessage(ctx: TurnContext): Promise<void> {
    if (ctx.activity.conversation?.conversationType === 'channel')
      await this.bindChannel(ctx, false);
    const text = (
      TurnContext.removeRecipientMention(ctx.activity) ??
      ctx.activity.text ??
      ''
    ).trim();
    const found = findCommand(text);
    if (!found) {
      await ctx.sendActivity(`I did not understand "${text.slice(0, 80)}". Try \`help\`.`);
      return;
    }
    if (found.command.demoOnly && this.deps.mode === 'live') {
      await ctx.sendActivity(
        `\`${found.command.name}\` works only against the simulated tenant, not in live mode.`,
      );
      return;
    }
    const from = {
      id: ctx.activity.from.aadObjectId ?? ctx.activity.from.id,
      name: ctx.activity.from.name ?? 'unknown',
    };
    try {
      const reply = await found.command.run(
        {
          from,
          mode: this.deps.mode,
          store: this.deps.store,
          demoTenant: this.deps.demoTenant,
          commands: this.deps.commands,
        },
        found.args,
      );
      await ctx.sendActivity(reply);
    } catch (error) {
      this.deps.log.error({ err: error, command: found.command.name }, 'command failed');
      await ctx.sendActivity(
        `\`${found.command.name}\` failed: ${error instanceof Error ? error.message : 'unknown error'}`,
      );
    }
  }

  protected override async onAdaptiveCardInvoke(
    ctx: TurnContext,
    value: AdaptiveCardInvokeValue,
  ): Promise<AdaptiveCardInvokeResponse> {
    const action = this.deps.cardActions.get(value.action?.verb ?? '');
    if (!action)
      return errorResponse(400, 'UnknownVerb', 'This card action is not known to GroupGuard.');
    const data = cardData.safeParse(value.action.data);
    if (!data.success)
      return errorResponse(400, 'BadCardData', 'The card did not carry a case id and version.');
    const approverId = ctx.activity.from?.aadObjectId;
    if (!approverId)
      return errorResponse(
        403,
        'UnknownUser',
        'Teams did not say who you are, so nothing was done.',
      );
    try {
      const outcome = await action.handle({
        caseId: data.data.caseId,
        version: data.data.version,
        approver: { id: approverId, name: ctx.activity.from.name ?? approverId },
      });
      return {
        statusCode: 200,
        type: ADAPTIVE_CARD_CONTENT_TYPE,
        value: renderCaseCard(outcome.case, noticeFor(outcome)) as never,
      };
    } catch (error) {
      if (error instanceof CaseNotFoundError)
        return errorResponse(404, 'CaseNotFound', 'No such case.');
      this.deps.log.error({ err: error }, 'card action failed');
      return errorResponse(
        500,
        'InternalError',
        'GroupGuard could not complete this action. Nothing was decided.',
      );
    }
  }
}
