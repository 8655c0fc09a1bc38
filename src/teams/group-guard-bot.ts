import {
  TeamsActivityHandler,
  TurnContext,
  type Activity,
  type AdaptiveCardInvokeResponse,
  type AdaptiveCardInvokeValue,
} from 'botbuilder';
import { z } from 'zod';
import type { Config } from '../config/config.js';
import { cleanReason } from '../core/decision-reason.js';
import type { AlertChannelBinder } from '../workflows/create-alert-channel-binding.js';
import type { MisplacedInvoke } from '../workflows/create-misplaced-invoke-log.js';
import type { DemoTenant } from '../workflows/demo-tenant.js';
import {
  CaseNotFoundError,
  type AlertChannel,
  type Log,
  type Case,
  type Person,
  type Store,
} from '../workflows/ports/index.js';
import type { CardAction } from './card-actions/card-action.js';
import type { Command } from './commands/command.js';
import { findCommand } from './commands/index.js';
import { cardTime } from './teams-time.js';
import {
  ADAPTIVE_CARD_CONTENT_TYPE,
  renderCaseCard,
  type CardContext,
} from './render-case-card.js';

export interface GroupGuardBotDeps {
  mode: Config['mode'];
  store: Store;
  log: Log;
  commands: readonly Command[];
  cardActions: ReadonlyMap<string, CardAction>;
  demoTenant: DemoTenant | null;
  cardContext: () => Promise<CardContext>;
  /** The tenant whose Teams GroupGuard serves; activities from any other tenant are refused. */
  tenantId: string | null;
  alertChannel: AlertChannelBinder;
  /** For clicks in a personal chat, which only an approver's may be. */
  isApprover(userId: string): Promise<boolean>;
  /** Records a click on a case from somewhere its card does not live (rate-limited). */
  recordMisplacedInvoke(invoke: MisplacedInvoke): Promise<void>;
}

const positiveInt = z
  .union([
    z.number(),
    z
      .string()
      .regex(/^\d{1,10}$/)
      .transform(Number),
  ])
  .pipe(
    z
      .number()
      .int()
      .positive()
      .max(2 ** 31 - 1),
  );

/** All the card may tell us: which case, which version, and the typed reason (Input.Text). */
const cardData = z.object({
  caseId: positiveInt,
  version: positiveInt,
  reason: z.string().nullish(),
});

const ERROR_TYPE = 'application/vnd.microsoft.error';
const MESSAGE_TYPE = 'application/vnd.microsoft.activity.message';
const NO_SUCH_CASE = 'GroupGuard has no such case. Nothing was done.';
const FAILED =
  'GroupGuard could not complete this action, so nothing was decided. Try again in a minute.';
const RESTORE_UNSETTLED =
  'GroupGuard ran into an error after starting this restore. The card shows where it stands; a later sweep finishes it.';
const INVISIBLE = /[\p{Cc}\p{Cf}\u2028\u2029]+/gu;
const HAS_INVISIBLE = /[\p{Cc}\p{Cf}\u2028\u2029]/u;
const SEEN_AGAIN_AFTER_MS = 60_000;

/**
 * Teams shows an error answer as "Something went wrong" and drops its message, so errors are
 * only for requests no genuine card sends (the Universal Actions docs list 400 for those).
 */
function errorResponse(code: string, message: string): AdaptiveCardInvokeResponse {
  return { statusCode: 400, type: ERROR_TYPE, value: { code, message } as never };
}

/** A short message Teams shows the person who clicked. */
function messageResponse(text: string): AdaptiveCardInvokeResponse {
  return { statusCode: 200, type: MESSAGE_TYPE, value: text as never };
}

function cardResponse(card: Record<string, unknown>): AdaptiveCardInvokeResponse {
  return { statusCode: 200, type: ADAPTIVE_CARD_CONTENT_TYPE, value: card as never };
}

/** A display name from Teams as plain one-line text, bounded. */
function plainName(raw: unknown): string | null {
  if (typeof raw !== 'string') return null;
  const name = raw.replace(INVISIBLE, ' ').replace(/\s+/g, ' ').trim().slice(0, 200);
  return name === '' ? null : name;
}

function tenantOf(activity: Activity): string | null {
  const data = (activity.channelData ?? {}) as { tenant?: { id?: string } };
  return activity.conversation?.tenantId ?? data.tenant?.id ?? null;
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

export class GroupGuardBot extends TeamsActivityHandler {
  private readonly seen = new Map<string, number>();
  /** Reads in flight for the place check, shared: a burst of clicks costs the store one read. */
  private readonly reads = new Map<string, Promise<unknown>>();

  constructor(private readonly deps: GroupGuardBotDeps) {
    super();
    this.onTurn(async (ctx, next) => {
      if (this.isForeign(ctx.activity)) {
        deps.log.warn(
          { tenantId: tenantOf(ctx.activity), activityType: ctx.activity.type },
          'activity from another tenant ignored',
        );
        // An invoke still needs an answer, which the card action path gives (a short message).
        if (ctx.activity.type === 'invoke') await next();
        return;
      }
      await this.recordSender(ctx.activity);
      await next();
    });
    this.onInstallationUpdateAdd(async (ctx, next) => {
      await this.bindChannel(ctx);
      await next();
    });
    this.onInstallationUpdateRemove(async (ctx, next) => {
      await this.unbindChannel(ctx);
      await next();
    });
    this.onMembersAdded(async (ctx, next) => {
      const botAdded = ctx.activity.membersAdded?.some((m) => m.id === ctx.activity.recipient.id);
      if (botAdded) await this.bindChannel(ctx);
      await next();
    });
    this.onMembersRemoved(async (ctx, next) => {
      const botRemoved = ctx.activity.membersRemoved?.some(
        (m) => m.id === ctx.activity.recipient.id,
      );
      if (botRemoved) await this.unbindChannel(ctx);
      await next();
    });
    this.onMessage(async (ctx, next) => {
      await this.handleMessage(ctx);
      await next();
    });
  }

  private isForeign(activity: Activity): boolean {
    const tenant = tenantOf(activity);
    return (
      this.deps.tenantId !== null && tenant?.toLowerCase() !== this.deps.tenantId.toLowerCase()
    );
  }

  /** Card `refresh.userIds` needs MRIs, which only inbound activities reveal. */
  private async recordSender(activity: Activity): Promise<void> {
    const { aadObjectId, id: mri } = activity.from ?? {};
    const name = plainName(activity.from?.name);
    if (!aadObjectId || !mri || !name || mri.length > 256 || HAS_INVISIBLE.test(mri)) return;
    const key = `${aadObjectId}|${mri}|${name}`;
    const now = Date.now();
    if ((this.seen.get(key) ?? 0) + SEEN_AGAIN_AFTER_MS > now) return;
    if (this.seen.size > 10_000) this.seen.clear();
    this.seen.set(key, now);
    await this.deps.store
      .recordTeamsUser({ aadObjectId, mri, name })
      .catch((error: unknown) => this.deps.log.warn({ err: error }, 'teams user not recorded'));
  }

  private async bindChannel(ctx: TurnContext): Promise<void> {
    const channel = alertChannelOf(ctx.activity);
    if (channel) await this.deps.alertChannel.offer(channel);
  }

  private async unbindChannel(ctx: TurnContext): Promise<void> {
    const teamId = alertChannelOf(ctx.activity)?.teamId;
    if (teamId) await this.deps.alertChannel.release(teamId);
  }

  private async handleMessage(ctx: TurnContext): Promise<void> {
    if (ctx.activity.conversation?.conversationType === 'channel') await this.bindChannel(ctx);
    const text = (
      TurnContext.removeRecipientMention(ctx.activity) ??
      ctx.activity.text ??
      ''
    ).trim();
    const found = findCommand(text);
    if (!found) {
      // The text is not echoed: a reply in the bot's voice must not carry someone's markdown.
      await ctx.sendActivity('I did not understand that. Try `help`.');
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
      name: plainName(ctx.activity.from.name) ?? 'unknown',
    };
    try {
      const reply = await found.command.run(
        {
          from,
          mode: this.deps.mode,
          store: this.deps.store,
          demoTenant: this.deps.demoTenant,
          commands: this.deps.commands,
          cardActions: this.deps.cardActions,
        },
        found.args,
      );
      await ctx.sendActivity(reply);
    } catch (error) {
      this.deps.log.error({ err: error, command: found.command.name }, 'command failed');
      await ctx.sendActivity(
        `\`${found.command.name}\` failed; the details are in GroupGuard's log.`,
      );
    }
  }

  /**
   * Every click the person can act on is answered 200 with the card (carrying a notice) or a
   * short message; a refusal, a foreign tenant or an unknown case reveal nothing about cases.
   */
  protected override async onAdaptiveCardInvoke(
    ctx: TurnContext,
    value: AdaptiveCardInvokeValue,
  ): Promise<AdaptiveCardInvokeResponse> {
    const action = this.deps.cardActions.get(value.action?.verb ?? '');
    if (!action) {
      return messageResponse(
        'GroupGuard does not know this button (the card may be from an older version). Nothing was done.',
      );
    }
    const data = cardData.safeParse(value.action.data);
    if (!data.success) {
      return errorResponse(
        'BadCardData',
        'The card did not carry a case id, a version and a text reason.',
      );
    }
    const approverId = ctx.activity.from?.aadObjectId;
    if (!approverId) return messageResponse('Teams did not say who you are, so nothing was done.');
    const { caseId, version } = data.data;
    // Set once the clicker is known to belong to this organization: only then may they see the case.
    let approver: Person | null = null;
    try {
      const binding = await this.deps.store.getAlertChannelBinding();
      const expectedTenant =
        this.deps.tenantId ?? (binding.status === 'unset' ? null : binding.channel.tenantId);
      const tenant = tenantOf(ctx.activity);
      if (expectedTenant && tenant?.toLowerCase() !== expectedTenant.toLowerCase()) {
        return messageResponse(
          "This card belongs to another organization's GroupGuard. Nothing was done.",
        );
      }
      const person = { id: approverId, name: plainName(ctx.activity.from.name) ?? approverId };
      if (!(await this.cardLivesHere(ctx.activity, caseId, person, action.verb))) {
        return messageResponse(NO_SUCH_CASE);
      }
      approver = person;
      const reason = cleanReason(data.data.reason);
      if (!reason.ok) {
        return await this.currentCard(
          caseId,
          approver,
          `${reason.problem} Nothing was done; shorten it and click again.`,
        );
      }
      const result = await action.handle({ caseId, version, approver, reason: reason.reason });
      const card = renderCaseCard(result.case, await this.deps.cardContext(), {
        viewer: { person: approver, isApprover: result.isApprover },
        notice: result.notice(cardTime),
      });
      return cardResponse(card);
    } catch (error) {
      if (error instanceof CaseNotFoundError) return messageResponse(NO_SUCH_CASE);
      this.deps.log.error({ err: error, caseId }, 'card action failed');
      if (!approver) return messageResponse(FAILED);
      return this.currentCard(caseId, approver, (c) =>
        c.status === 'restoring' ? RESTORE_UNSETTLED : FAILED,
      ).catch((readError: unknown) => {
        this.deps.log.error({ err: readError, caseId }, 'case not readable for the answer');
        return messageResponse(FAILED);
      });
    }
  }

  /**
   * A click is answered where the case's card was posted (or in an approver's personal chat
   * with the bot); from anywhere else it learns what a click on an unknown case learns.
   */
  private async cardLivesHere(
    activity: Activity,
    caseId: number,
    person: Person,
    verb: string,
  ): Promise<boolean> {
    // The demo has no authentication: whoever reaches it may claim any conversation anyway.
    if (this.deps.mode === 'demo') return true;
    const c = await this.shared(`case:${caseId}`, () => this.deps.store.getCase(caseId));
    if (!c) return false;
    const conversationId = activity.conversation?.id ?? '';
    let here: boolean;
    if (activity.conversation?.conversationType === 'personal') {
      here = await this.deps.isApprover(person.id).catch(() => false);
    } else if (c.card) {
      here = conversationId === c.card.conversationId;
    } else {
      // Teams showed the card before GroupGuard recorded where: it can only be the alert channel.
      const channel = await this.shared('alert-channel', () => this.deps.store.getAlertChannel());
      here = channel !== null && conversationId.split(';messageid=')[0] === channel.channelId;
    }
    if (!here) {
      await this.deps
        .recordMisplacedInvoke({ case: c, verb, person })
        .catch((error: unknown) =>
          this.deps.log.error({ err: error, caseId }, 'misplaced click not recorded'),
        );
    }
    return here;
  }

  private shared<T>(key: string, read: () => Promise<T>): Promise<T> {
    const inFlight = this.reads.get(key) as Promise<T> | undefined;
    if (inFlight) return inFlight;
    const started = read().finally(() => this.reads.delete(key));
    this.reads.set(key, started);
    return started;
  }

  /** The case as it stands, for this person, with a notice for them alone. */
  private async currentCard(
    caseId: number,
    viewer: Person,
    notice: string | ((c: Case) => string),
  ): Promise<AdaptiveCardInvokeResponse> {
    const c = await this.deps.store.getCase(caseId);
    if (!c) return messageResponse(NO_SUCH_CASE);
    return cardResponse(
      renderCaseCard(c, await this.deps.cardContext(), {
        viewer: { person: viewer, isApprover: null },
        notice: typeof notice === 'string' ? notice : notice(c),
      }),
    );
  }
}
