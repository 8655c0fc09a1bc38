import { SEED } from '../../src/sim/seed-tenant';
import { groupChangeNotification, postNotifications } from '../fakes/graph-notifications';
import { cardActionInvoke, shownForInvoke } from '../fakes/teams-activities';
import { buttonsOf, casePost, click, textOf, waitForCardText } from './case-cards';
import {
  eventually,
  installInTeam,
  startGroupGuard,
  teamsUser,
  type GroupGuardUnderTest,
} from './start-groupguard';

const alex = teamsUser('Alex Wilber', SEED.users.alex);
const { finance, mfaRequired } = SEED.groups;

const postsMentioning = (gg: GroupGuardUnderTest, text: string) =>
  gg.connector.posts().filter((p) => textOf(p.card).includes(text));

describe('walking skeleton: removal → card → decision, with bot authentication on', () => {
  let gg: GroupGuardUnderTest;

  beforeAll(async () => {
    gg = await startGroupGuard();
    await installInTeam(gg, alex);
  });
  afterAll(async () => {
    await gg?.stop();
  });

  it('refuses /api/messages without a token', async () => {
    // CloudAdapter prints every rejected token; the status is what matters here.
    const quiet = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    const response = await fetch(`${gg.url}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'message', text: 'help' }),
    });
    quiet.mockRestore();
    expect(response.status).toBe(401);
  });

  it('posts exactly one case card for a removal, and Restore puts the member back for everyone', async () => {
    gg.sim.directory.removeMember(mfaRequired, SEED.users.adele, SEED.users.diego);
    expect(gg.sim.directory.isMember(mfaRequired, SEED.users.adele)).toBe(false);

    const post = await casePost(gg, 'Adele Vance', 'MFA Required');
    expect(post.request.authorizationValid).toBe(true);
    const buttons = buttonsOf(post.card);
    expect(buttons.map((b) => b.verb).sort()).toEqual(['approve', 'restore']);
    const restore = buttons.find((b) => b.verb === 'restore');
    expect(Object.keys(restore?.data ?? {}).sort()).toEqual(['caseId', 'version']);

    const response = await click(gg, post, alex, 'restore', restore?.data ?? {});
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      statusCode: 200,
      type: 'application/vnd.microsoft.card.adaptive',
    });
    expect(response.text).toContain('Restored by Alex Wilber');
    expect(gg.sim.directory.isMember(mfaRequired, SEED.users.adele)).toBe(true);

    const everyone = await waitForCardText(gg, post, 'Restored by Alex Wilber');
    expect(buttonsOf(everyone)).toEqual([]);
    expect(postsMentioning(gg, 'Adele Vance')).toHaveLength(1);
  });

  it('Approve records who approved the removal and leaves the member out', async () => {
    gg.sim.directory.removeMember(finance, SEED.users.johanna, SEED.users.diego);
    const post = await casePost(gg, 'Johanna Lorenz', 'Finance Team');
    const approve = buttonsOf(post.card).find((b) => b.verb === 'approve');
    const response = await click(gg, post, alex, 'approve', approve?.data ?? {});
    expect(response.text).toContain('Removal approved by Alex Wilber');
    expect(gg.sim.directory.isMember(finance, SEED.users.johanna)).toBe(false);
    await waitForCardText(gg, post, 'Removal approved by Alex Wilber');
  });

  it('answers an unknown verb or case with a message, forged data with a 400, and changes nothing', async () => {
    const before = await gg.app.store.listCases({ limit: 100 });
    for (const [verb, data, shown] of [
      ['delete-everything', { caseId: before[0]?.id, version: 1 }, 'message'],
      ['restore', { caseId: 999_999, version: 1 }, 'message'],
      ['restore', { caseId: 'GG-1; DROP TABLE', version: 1 }, 'something-went-wrong'],
    ] as const) {
      const response = await gg.send(
        cardActionInvoke({
          verb,
          data: data as never,
          from: alex,
          replyToId: '1',
          conversationId: '19:team-general@thread.tacv2;messageid=1',
          serviceUrl: gg.connector.serviceUrl,
          bot: gg.bot,
        }),
      );
      expect(shownForInvoke(response).kind).toBe(shown);
    }
    expect(await gg.app.store.listCases({ limit: 100 })).toEqual(before);
  });
});

describe('notifications are a doorbell', () => {
  let gg: GroupGuardUnderTest;

  beforeAll(async () => {
    gg = await startGroupGuard();
    await installInTeam(gg, alex);
  });
  afterAll(async () => {
    await gg?.stop();
  });

  const notify = async (groupId: string, clientState: string) => {
    const subscription = await gg.app.store.getSubscription();
    return postNotifications(`${gg.url}/api/graph/notifications`, [
      groupChangeNotification({ subscriptionId: subscription?.id ?? '', clientState, groupId }),
    ]);
  };

  /** Every notification worked off, including ones a worker holds right now, and the cards out. */
  const settle = async () => {
    await eventually(async () => (await gg.app.store.countInbox()) === 0, 'an empty inbox');
    await new Promise((r) => setTimeout(r, 300));
  };

  it('opens one case when the same notification arrives three times', async () => {
    gg.sim.setFaults({ duplicateNotifications: 1 });
    gg.sim.directory.removeMember(mfaRequired, SEED.users.patti, SEED.users.diego);
    const clientState = (await gg.app.store.getSubscription())?.clientState ?? '';
    for (let i = 0; i < 3; i++) expect((await notify(mfaRequired, clientState)).status).toBe(202);
    await eventually(async () => postsMentioning(gg, 'Patti Fernandez')[0], 'the case card');
    await settle();
    const cases = (await gg.app.store.listCases({ limit: 100 })).filter(
      (c) => c.memberId === SEED.users.patti,
    );
    expect(cases).toHaveLength(1);
    expect(postsMentioning(gg, 'Patti Fernandez')).toHaveLength(1);
    gg.sim.setFaults({ duplicateNotifications: 0 });
  });

  it('ignores a notification with a wrong clientState, and acts on the genuine one', async () => {
    gg.sim.setFaults({ dropNotifications: 1 });
    gg.sim.directory.removeMember(mfaRequired, SEED.users.lynne, SEED.users.diego);
    const forged = await notify(mfaRequired, 'not-the-client-state');
    expect(forged.status).toBe(202);
    await settle();
    expect(
      (await gg.app.store.listCases({ limit: 100 })).some((c) => c.memberId === SEED.users.lynne),
    ).toBe(false);

    const genuine = await notify(
      mfaRequired,
      (await gg.app.store.getSubscription())?.clientState ?? '',
    );
    expect(genuine.status).toBe(202);
    await eventually(
      async () => postsMentioning(gg, 'Lynne Robbins')[0],
      'the case card after the genuine notification',
    );
    gg.sim.setFaults({ dropNotifications: 0 });
  });
});
