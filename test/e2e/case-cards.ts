import type { ChannelPostRecord } from '../fakes/fake-bot-connector';
import {
  cardActionInvoke,
  readableInvokeAnswer,
  shownForInvoke,
  type TeamsUser,
} from '../fakes/teams-activities';
import { eventually, type GroupGuardUnderTest } from './start-groupguard';

export interface CardButton {
  verb: string;
  data: { caseId: number; version: number };
}

/** The Action.Execute buttons of a card (its `refresh` action is not a button). */
export function buttonsOf(card: unknown): CardButton[] {
  const found: CardButton[] = [];
  JSON.stringify(
    card,
    (key, value: { type?: string; verb?: string; data?: CardButton['data'] }) => {
      if (key !== 'action' && value?.type === 'Action.Execute' && value.verb && value.data)
        found.push({ verb: value.verb, data: value.data });
      return value;
    },
  );
  return found;
}

export const textOf = (value: unknown): string => JSON.stringify(value);

/** The case card posted for a removal of `memberName`, once the outbox has posted it. */
export async function casePost(
  gg: GroupGuardUnderTest,
  memberName: string,
  groupName: string,
): Promise<ChannelPostRecord> {
  return eventually(
    async () =>
      gg.connector
        .posts()
        .find(
          (p) =>
            textOf(p.card).includes(memberName) &&
            textOf(p.card).includes(`Member removed from ${groupName}`),
        ),
    `the case card for ${memberName} in ${groupName}`,
  );
}

/** The card as everyone sees it now: the latest update of the post, or the post itself. */
export function currentCard(gg: GroupGuardUnderTest, post: ChannelPostRecord): unknown {
  return gg.connector.updates(post.activityId).at(-1)?.card ?? post.card;
}

export async function waitForCardText(
  gg: GroupGuardUnderTest,
  post: ChannelPostRecord,
  text: string | RegExp,
): Promise<unknown> {
  return eventually(
    async () => {
      const card = currentCard(gg, post);
      const serialized = textOf(card);
      return (typeof text === 'string' ? serialized.includes(text) : text.test(serialized)) && card;
    },
    `the card to show ${String(text)}`,
  );
}

/**
 * An Action.Execute click as Teams sends it (`data` plus any typed inputs merged in), whatever
 * Teams would show for the answer: for clicks no genuine card sends.
 */
export async function sendClick(
  gg: GroupGuardUnderTest,
  post: ChannelPostRecord,
  from: TeamsUser,
  verb: string,
  data: Record<string, unknown>,
) {
  const response = await gg.send(
    cardActionInvoke({
      verb,
      data,
      from,
      replyToId: post.activityId,
      conversationId: post.conversationId,
      serviceUrl: gg.connector.serviceUrl,
      bot: gg.bot,
    }),
  );
  return { ...response, text: textOf(response.body), shown: shownForInvoke(response) };
}

/** A click whose answer the person can read: fails where Teams would say "Something went wrong". */
export async function click(
  gg: GroupGuardUnderTest,
  post: ChannelPostRecord,
  from: TeamsUser,
  verb: string,
  data: Record<string, unknown>,
) {
  const response = await sendClick(gg, post, from, verb, data);
  return { ...response, shown: readableInvokeAnswer(response) };
}

/** Clicks `verb` as someone whose card is up to date (the version the store has now). */
export async function clickCurrent(
  gg: GroupGuardUnderTest,
  post: ChannelPostRecord,
  from: TeamsUser,
  verb: string,
  inputs: Record<string, unknown> = {},
) {
  const caseId = caseIdOf(post);
  const current = await gg.app.store.getCase(caseId);
  if (!current) throw new Error(`case ${caseId} is gone`);
  return click(gg, post, from, verb, { caseId, version: current.version, ...inputs });
}

export function caseIdOf(post: ChannelPostRecord): number {
  const button = buttonsOf(post.card)[0];
  if (!button) throw new Error(`no buttons on the posted card: ${textOf(post.card)}`);
  return button.data.caseId;
}
