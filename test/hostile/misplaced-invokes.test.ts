import { SEED } from '../../src/sim/seed-tenant';
import type { ChannelPostRecord } from '../fakes/fake-bot-connector';
import { cardActionInvoke, readableInvokeAnswer } from '../fakes/teams-activities';
import { caseIdOf, casePost, click } from '../e2e/case-cards';
import {
  installInTeam,
  startGroupGuard,
  teamsUser,
  type GroupGuardUnderTest,
} from '../e2e/start-groupguard';

const u = SEED.users;
const alex = teamsUser('Alex Wilber', u.alex);
const megan = teamsUser('Megan Bowen', u.megan);
const johanna = teamsUser('Johanna Lorenz', u.johanna);
const NO_SUCH_CASE = 'GroupGuard has no such case. Nothing was done.';
/** A chat GroupGuard never posted the card to, where someone pasted the card's JSON. */
const ELSEWHERE = '19:meeting_chat-the-attacker-controls@thread.v2';

describe('hostile: card clicks from where the card does not live', () => {
  let gg: GroupGuardUnderTest;
  let post: ChannelPostRecord;
  let caseId: number;
  let clockOffsetMs = 0;

  beforeAll(async () => {
    jest.spyOn(console, 'error').mockImplementation(() => undefined);
    gg = await startGroupGuard({}, { clock: { now: () => new Date(Date.now() + clockOffsetMs) } });
    await installInTeam(gg, alex);
    gg.sim.directory.removeMember(SEED.groups.mfaRequired, u.adele, u.diego);
    post = await casePost(gg, 'Adele Vance', 'MFA Required');
    caseId = caseIdOf(post);
  });
  afterAll(async () => {
    jest.restoreAllMocks();
    await gg?.stop();
  });

  const clickFrom = (
    from: typeof alex,
    verb: string,
    conversation: { id: string; conversationType?: 'personal' | 'groupChat' | 'channel' },
    data: Record<string, unknown> = { caseId, version: 1 },
  ) => {
    const invoke = cardActionInvoke({
      verb,
      data,
      from,
      replyToId: post.activityId,
      conversationId: conversation.id,
      serviceUrl: gg.connector.serviceUrl,
      bot: gg.bot,
    });
    return gg.send({
      ...invoke,
      conversation: {
        ...invoke.conversation,
        conversationType: conversation.conversationType ?? invoke.conversation.conversationType,
      },
    });
  };
  const refusalsBy = async (userId: string) =>
    (await gg.app.store.readDecisionLog(0, 1000)).filter(
      (r) => r.approverId === userId && r.result === 'refused',
    );

  it.each([
    [
      'Restore from a chat the card was never posted to',
      alex,
      'restore',
      () => ({ id: ELSEWHERE }),
    ],
    [
      'a refresh from a chat the card was never posted to',
      megan,
      'refresh',
      () => ({ id: ELSEWHERE }),
    ],
    [
      'Restore from another thread of the alert channel',
      alex,
      'restore',
      () => ({ id: `${post.channelId};messageid=1` }),
    ],
    [
      'a refresh from a non-approver’s personal chat',
      johanna,
      'refresh',
      () => ({ id: 'a:1johanna-personal', conversationType: 'personal' as const }),
    ],
  ])(
    'answers %s as it answers an unknown case, and changes nothing',
    async (_what, from, verb, where) => {
      const unknown = readableInvokeAnswer(
        await clickFrom(from, verb, { id: post.conversationId }, { caseId: 999_999, version: 1 }),
      );
      const misplaced = readableInvokeAnswer(await clickFrom(from, verb, where()));
      expect(misplaced).toEqual(unknown);
      expect(misplaced).toEqual({ kind: 'message', text: NO_SUCH_CASE });
      expect(await gg.app.store.getCase(caseId)).toMatchObject({ status: 'open', version: 1 });
      expect(gg.sim.directory.isMember(SEED.groups.mfaRequired, u.adele)).toBe(false);
    },
  );

  it('answers in the card’s own conversation and in an approver’s personal chat', async () => {
    const inThread = await click(gg, post, megan, 'refresh', { caseId, version: 1 });
    expect(inThread.shown.kind).toBe('card');
    const personal = readableInvokeAnswer(
      await clickFrom(megan, 'refresh', { id: 'a:1megan-personal', conversationType: 'personal' }),
    );
    expect(personal.kind).toBe('card');
  });

  it('keeps a flood of misplaced clicks by one person to one decision-log record a minute, with the count', async () => {
    const flooder = teamsUser('Grady Archie', u.grady);
    const before = await refusalsBy(u.grady);
    expect(before).toEqual([]);
    for (let i = 0; i < 40; i++) {
      expect((await clickFrom(flooder, 'restore', { id: ELSEWHERE })).status).toBe(200);
    }
    const first = await refusalsBy(u.grady);
    expect(first).toHaveLength(1);
    expect(first[0]?.detail).toContain('(1 attempt since');

    clockOffsetMs += 61_000;
    expect((await clickFrom(flooder, 'approve', { id: ELSEWHERE })).status).toBe(200);
    const after = await refusalsBy(u.grady);
    expect(after).toHaveLength(2);
    expect(after[1]).toMatchObject({ verb: 'approve', caseId, result: 'refused' });
    expect(after[1]?.detail).toContain('(40 attempts since');
    expect(await gg.app.store.getCase(caseId)).toMatchObject({ status: 'open', version: 1 });
  });
});
