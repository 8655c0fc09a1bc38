import { SEED } from '../../src/sim/seed-tenant';
import { verifyDecisionLog } from '../../src/workflows/decision-log';
import { groupChangeNotification, postNotifications } from '../fakes/graph-notifications';
import { channelMessage } from '../fakes/teams-activities';
import {
  buttonsOf,
  caseIdOf,
  casePost,
  click,
  clickCurrent,
  textOf,
  waitForCardText,
} from './case-cards';
import {
  eventually,
  installInTeam,
  startGroupGuard,
  teamsUser,
  type GroupGuardUnderTest,
} from './start-groupguard';

const u = SEED.users;
const g = SEED.groups;
const alex = teamsUser('Alex Wilber', u.alex);
const megan = teamsUser('Megan Bowen', u.megan);
const isaiah = teamsUser('Isaiah Langer', u.isaiah);

const addsOf = (gg: GroupGuardUnderTest, groupId: string, memberId: string) =>
  gg.sim.directory
    .auditRecords()
    .filter(
      (a) =>
        a.activityDisplayName === 'Add member to group' &&
        a.targetResources.some((t) => t.id === memberId) &&
        a.targetResources.some((t) => t.id === groupId),
    );

describe('who may decide a case', () => {
  let gg: GroupGuardUnderTest;

  beforeAll(async () => {
    gg = await startGroupGuard();
    await installInTeam(gg, alex);
  });
  afterAll(async () => {
    await gg?.stop();
  });

  it('refuses someone outside SecOps Approvers, changes nothing and logs the attempt', async () => {
    gg.sim.directory.removeMember(g.mfaRequired, u.lynne, u.diego);
    const post = await casePost(gg, 'Lynne Robbins', 'MFA Required');
    const response = await clickCurrent(gg, post, isaiah, 'restore');
    expect(response.body).toMatchObject({ statusCode: 200 });
    expect(response.text).toContain(
      'Only members of SecOps Approvers can decide cases. Nothing was changed.',
    );
    expect(buttonsOf(response.body)).toEqual([]);
    expect(gg.sim.directory.isMember(g.mfaRequired, u.lynne)).toBe(false);
    expect(await gg.app.store.getCase(caseIdOf(post))).toMatchObject({
      status: 'open',
      version: 1,
    });
    const log = await gg.app.store.readDecisionLog(0, 100);
    expect(log.at(-1)).toMatchObject({
      caseId: caseIdOf(post),
      verb: 'restore',
      approverId: u.isaiah,
      approverName: 'Isaiah Langer',
      result: 'refused',
    });
  });

  it('shows who removed the member and does not let them approve their own removal', async () => {
    gg.sim.directory.removeMember(g.finance, u.lee, u.alex);
    const post = await casePost(gg, 'Lee Gu', 'Finance Team');
    expect(textOf(post.card)).toContain('{"title":"Removed by","value":"Alex Wilber"}');

    const own = await clickCurrent(gg, post, alex, 'approve');
    expect(own.text).toContain(
      'You removed Lee Gu yourself, so another approver must approve the removal.',
    );
    expect((await gg.app.store.getCase(caseIdOf(post)))?.status).toBe('open');

    const other = await clickCurrent(gg, post, megan, 'approve');
    expect(other.text).toContain('Removal approved by Megan Bowen');
    await waitForCardText(gg, post, 'Removal approved by Megan Bowen');
  });

  it('does not take an earlier removal of the same member for this one while the audit log lags', async () => {
    // Megan removed Patti once; Patti came back; Alex removes her again, not yet in the log.
    gg.sim.directory.removeMember(g.finance, u.patti, u.megan);
    const first = await casePost(gg, 'Patti Fernandez', 'Finance Team');
    expect(textOf(first.card)).toContain('{"title":"Removed by","value":"Megan Bowen"}');
    gg.sim.directory.addMember(g.finance, u.patti, u.diego);
    // A later sync confirms she is a member again; the next removal happened after it.
    await new Promise((r) => setTimeout(r, 6000));
    const seenBefore = (await gg.app.store.getWatchedGroup(g.finance))?.syncedAt ?? '';
    const subscription = await gg.app.store.getSubscription();
    await postNotifications(`${gg.url}/api/graph/notifications`, [
      groupChangeNotification({
        subscriptionId: subscription?.id ?? '',
        clientState: subscription?.clientState,
        groupId: g.finance,
      }),
    ]);
    await eventually(
      async () => ((await gg.app.store.getWatchedGroup(g.finance))?.syncedAt ?? '') > seenBefore,
      'a sync that sees Patti back',
    );
    gg.sim.holdAuditLog(true);
    try {
      gg.sim.directory.removeMember(g.finance, u.patti, u.alex);
      const second = await eventually(
        async () =>
          gg.connector
            .posts()
            .find(
              (p) => textOf(p.card).includes('Patti Fernandez') && caseIdOf(p) !== caseIdOf(first),
            ),
        'the second case card',
      );
      const own = await clickCurrent(gg, second, alex, 'approve');
      expect(own.text).toContain('Waiting for the audit log');
      expect((await gg.app.store.getCase(caseIdOf(second)))?.status).toBe('open');
      expect((await gg.app.store.getCase(caseIdOf(second)))?.actor ?? null).toBeNull();
    } finally {
      gg.sim.holdAuditLog(false);
    }
  });

  it('never lets the removed member decide their own case', async () => {
    gg.sim.directory.removeMember(g.mfaRequired, u.megan, u.diego);
    const post = await casePost(gg, 'Megan Bowen', 'MFA Required');
    for (const verb of ['restore', 'approve']) {
      const own = await clickCurrent(gg, post, megan, verb);
      expect(own.text).toContain('You are the member removed from MFA Required');
    }
    expect(gg.sim.directory.isMember(g.mfaRequired, u.megan)).toBe(false);
    const restored = await clickCurrent(gg, post, alex, 'restore');
    expect(restored.text).toContain('Restored by Alex Wilber');
    expect(gg.sim.directory.isMember(g.mfaRequired, u.megan)).toBe(true);
  });

  it('answers a click on an old card with the current case and a note, and changes nothing', async () => {
    gg.sim.directory.removeMember(g.tier0, u.breakGlass, u.diego);
    const post = await casePost(gg, 'Break Glass Admin', 'Tier 0 Admins');
    const requested = await clickCurrent(gg, post, alex, 'restore', { reason: 'break glass' });
    expect(requested.text).toContain('Restore requested by Alex Wilber — needs a second approver');

    const stale = await click(gg, post, megan, 'approve', {
      ...buttonsOf(post.card)[0]?.data,
      reason: 'keep it out',
    });
    expect(stale.text).toContain(
      'This card was out of date. Here is the current case; nothing was changed.',
    );
    expect(stale.text).toContain('Restore requested by Alex Wilber');
    expect((await gg.app.store.getCase(caseIdOf(post)))?.status).toBe('restore-requested');
  });
});

// Graph docs, "Working with groups in Microsoft Graph" (groups-overview): "Only Microsoft 365
// and security groups can be managed through the Microsoft Graph groups API. Mail-enabled and
// distribution groups are read-only through Microsoft Graph."
describe('restore by kind of group', () => {
  let gg: GroupGuardUnderTest;

  beforeAll(async () => {
    gg = await startGroupGuard();
    await installInTeam(gg, alex);
  });
  afterAll(async () => {
    await gg?.stop();
  });

  it('restores into a Microsoft 365 group, which is mail-enabled yet writable through Graph', async () => {
    await gg.send(
      channelMessage({
        text: 'simulate',
        from: alex,
        serviceUrl: gg.connector.serviceUrl,
        bot: gg.bot,
      }),
    );
    const listing = await eventually(
      async () => gg.connector.replies().find((r) => r.text?.includes('Seeded groups')),
      'the simulate listing',
    );
    expect(listing.text).toContain('**Project Falcon** (Microsoft 365)');
    expect(listing.text).toContain('**Marketing DL** (distribution list)');

    gg.sim.directory.removeMember(g.projectFalcon, u.grady, u.diego);
    const post = await casePost(gg, 'Grady Archie', 'Project Falcon');
    expect(textOf(post.card)).not.toContain('Restore is not offered');
    expect(buttonsOf(post.card).map((b) => b.verb)).toEqual(['approve', 'restore']);

    const restored = await clickCurrent(gg, post, alex, 'restore');
    expect(restored.text).toContain('Restored by Alex Wilber');
    expect(gg.sim.directory.isMember(g.projectFalcon, u.grady)).toBe(true);
    expect(addsOf(gg, g.projectFalcon, u.grady)).toHaveLength(1);
    await waitForCardText(gg, post, 'Restored by Alex Wilber');
  });

  it('offers no Restore for a distribution list, and says why', async () => {
    gg.sim.directory.removeMember(g.marketingDl, u.miriam, u.diego);
    const post = await casePost(gg, 'Miriam Graham', 'Marketing DL');
    expect(textOf(post.card)).toContain(
      'Restore is not offered: mail-enabled security groups and distribution lists are read-only in Graph.',
    );
    expect(buttonsOf(post.card).map((b) => b.verb)).toEqual(['approve']);
    const refused = await clickCurrent(gg, post, alex, 'restore');
    expect(refused.text).toContain('Restore is not possible');
    expect(gg.sim.directory.isMember(g.marketingDl, u.miriam)).toBe(false);
  });
});

describe('four eyes on a privileged group', () => {
  let gg: GroupGuardUnderTest;

  beforeAll(async () => {
    gg = await startGroupGuard({ TIER0_GROUP_IDS: g.finance });
    await installInTeam(gg, alex);
  });
  afterAll(async () => {
    await gg?.stop();
  });

  it('restores into Tier 0 Admins only after a second approver confirms, with reasons', async () => {
    gg.sim.directory.removeMember(g.tier0, u.adele, u.diego);
    const post = await casePost(gg, 'Adele Vance', 'Tier 0 Admins');
    expect(textOf(post.card)).toContain('Privileged (role-assignable group)');
    expect(textOf(post.card)).toContain('"id":"reason"');

    const noReason = await clickCurrent(gg, post, alex, 'restore');
    expect(noReason.text).toContain('type a reason, then click again');
    const requested = await clickCurrent(gg, post, alex, 'restore', {
      reason: ' Adele is on call\ttonight\u0007 ',
    });
    expect(requested.text).toContain('Restore requested by Alex Wilber — needs a second approver');
    expect(buttonsOf(requested.body).map((b) => b.verb)).toEqual(['approve', 'cancel-restore']);
    expect(gg.sim.directory.isMember(g.tier0, u.adele)).toBe(false);
    await waitForCardText(gg, post, 'Restore requested by Alex Wilber — needs a second approver');

    const selfConfirm = await clickCurrent(gg, post, alex, 'confirm-restore', { reason: 'me' });
    expect(selfConfirm.text).toContain(
      'You requested this restore; a second approver must confirm it.',
    );
    const bareConfirm = await clickCurrent(gg, post, megan, 'confirm-restore');
    expect(bareConfirm.text).toContain('type a reason');
    expect(gg.sim.directory.isMember(g.tier0, u.adele)).toBe(false);

    const confirmed = await clickCurrent(gg, post, megan, 'confirm-restore', {
      reason: 'agreed with Alex',
    });
    expect(confirmed.text).toMatch(/Restored by Megan Bowen at [^"]* · requested by Alex Wilber/);
    expect(gg.sim.directory.isMember(g.tier0, u.adele)).toBe(true);
    expect(addsOf(gg, g.tier0, u.adele)).toHaveLength(1);
    await waitForCardText(gg, post, /Restored by Megan Bowen at [^"]* · requested by Alex Wilber/);

    const log = (await gg.app.store.readDecisionLog(0, 100)).filter(
      (r) => r.caseId === caseIdOf(post),
    );
    expect(log.map((r) => [r.verb, r.approverName, r.result])).toEqual([
      ['restore', 'Alex Wilber', 'refused'],
      ['restore', 'Alex Wilber', 'restore-requested'],
      ['confirm-restore', 'Alex Wilber', 'refused'],
      ['confirm-restore', 'Megan Bowen', 'refused'],
      ['confirm-restore', 'Megan Bowen', 'restore-claimed'],
      ['confirm-restore', 'Megan Bowen', 'restored'],
    ]);
    expect(log[1]?.reason).toBe('Adele is on call tonight');
    expect(log[4]).toMatchObject({ reason: 'agreed with Alex', caseVersion: 3 });
    expect(log[5]).toMatchObject({ reason: 'agreed with Alex', caseVersion: 4 });
    expect(log[5]?.graphRequestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(await verifyDecisionLog(gg.app.store)).toMatchObject({ ok: true });
  });

  it('lets only the requester cancel, and two approvers then approve the removal', async () => {
    gg.sim.directory.removeMember(g.finance, u.patti, u.diego);
    const post = await casePost(gg, 'Patti Fernandez', 'Finance Team');
    expect(textOf(post.card)).toContain('Privileged (tier 0 group)');
    await clickCurrent(gg, post, alex, 'restore', { reason: 'month-end close' });

    const notMine = await clickCurrent(gg, post, megan, 'cancel-restore');
    expect(notMine.text).toContain('Only Alex Wilber, who requested the restore, can cancel it.');
    const cancelled = await clickCurrent(gg, post, alex, 'cancel-restore');
    expect(cancelled.text).toContain('Open: approve the removal or restore the member');
    expect(await gg.app.store.getCase(caseIdOf(post))).toMatchObject({
      status: 'open',
      restoreRequest: null,
    });

    // Approving keeps Patti out of a tier 0 group: that takes two approvers as well.
    const asked = await clickCurrent(gg, post, megan, 'approve', { reason: 'left Finance' });
    expect(asked.text).toContain(
      'Approval of the removal requested by Megan Bowen — needs a second approver',
    );
    const again = await clickCurrent(gg, post, megan, 'approve', { reason: 'left Finance' });
    expect(again.text).toContain(
      'You asked to approve this removal; a second approver must confirm it.',
    );
    const approved = await clickCurrent(gg, post, alex, 'approve', { reason: 'agreed' });
    expect(approved.text).toMatch(
      /Removal approved by Alex Wilber at [^"]* · requested by Megan Bowen/,
    );
    expect(approved.text).toContain('Approval requested by Megan Bowen: \\"left Finance\\"');
    expect(approved.text).toContain('Reason given by Alex Wilber: \\"agreed\\"');
    expect(addsOf(gg, g.finance, u.patti)).toHaveLength(0);
  });

  it('answers an overlong reason with the current card and how to fix it, touching nothing', async () => {
    gg.sim.directory.removeMember(g.finance, u.johanna, u.diego);
    const post = await casePost(gg, 'Johanna Lorenz', 'Finance Team');
    const response = await clickCurrent(gg, post, alex, 'restore', { reason: 'x'.repeat(501) });
    expect(response.shown.kind).toBe('card');
    expect(response.text).toContain(
      'The reason is too long (501 characters, at most 500). Nothing was done; shorten it and click again.',
    );
    expect(buttonsOf(response.body).map((b) => b.verb)).toEqual(['approve', 'restore']);
    expect(await gg.app.store.getCase(caseIdOf(post))).toMatchObject({
      status: 'open',
      version: 1,
    });
    const fixed = await clickCurrent(gg, post, alex, 'restore', { reason: 'x'.repeat(500) });
    expect(fixed.text).toContain('Restore requested by Alex Wilber');
  });
});

describe('user-specific views', () => {
  let gg: GroupGuardUnderTest;

  beforeAll(async () => {
    gg = await startGroupGuard();
    await installInTeam(gg, alex);
  });
  afterAll(async () => {
    await gg?.stop();
  });

  it('asks Teams to refresh the card for the people it knows, and shows each their own view', async () => {
    gg.sim.directory.removeMember(g.mfaRequired, u.patti, u.diego);
    const post = await casePost(gg, 'Patti Fernandez', 'MFA Required');
    const refresh = (post.card as { refresh?: { action: unknown; userIds: string[] } }).refresh;
    expect(refresh?.action).toEqual({
      type: 'Action.Execute',
      verb: 'refresh',
      data: { caseId: caseIdOf(post), version: 1 },
    });
    expect(refresh?.userIds).toEqual([alex.id]);

    const approverView = await click(gg, post, alex, 'refresh', {
      caseId: caseIdOf(post),
      version: 1,
    });
    expect(buttonsOf(approverView.body).map((b) => b.verb)).toEqual(['approve', 'restore']);
    const readOnly = await click(gg, post, isaiah, 'refresh', {
      caseId: caseIdOf(post),
      version: 1,
    });
    expect(buttonsOf(readOnly.body)).toEqual([]);
    expect(readOnly.text).toContain('Read only: only members of SecOps Approvers can decide.');
    expect(await gg.app.store.getCase(caseIdOf(post))).toMatchObject({ version: 1 });
  });

  it('lists at most 60 users, approvers first, and keeps the base card readable for the rest', async () => {
    for (let i = 0; i < 70; i++) {
      const someone = teamsUser(
        `Visitor ${i}`,
        `00000000-0000-4000-a000-${String(i).padStart(12, '0')}`,
      );
      const response = await gg.send(
        channelMessage({
          text: 'help',
          from: someone,
          serviceUrl: gg.connector.serviceUrl,
          bot: gg.bot,
        }),
      );
      expect(response.status).toBe(200);
    }
    await click(gg, await casePost(gg, 'Patti Fernandez', 'MFA Required'), megan, 'refresh', {
      caseId: 1,
      version: 1,
    });
    gg.sim.directory.removeMember(g.mfaRequired, u.grady, u.diego);
    const post = await casePost(gg, 'Grady Archie', 'MFA Required');
    const userIds = (post.card as { refresh: { userIds: string[] } }).refresh.userIds;
    expect(userIds).toHaveLength(60);
    expect(userIds.slice(0, 2).sort()).toEqual([alex.id, megan.id].sort());
    expect(buttonsOf(post.card).map((b) => b.verb)).toEqual(['approve', 'restore']);
    expect(textOf(post.card)).toContain('Only members of SecOps Approvers can decide');
  });
});
