import { SEED } from '../../src/sim/seed-tenant';
import type { Clock } from '../../src/workflows/ports';
import type { ChannelPostRecord } from '../fakes/fake-bot-connector';
import { caseIdOf, casePost, clickCurrent } from '../e2e/case-cards';
import {
  installInTeam,
  startGroupGuard,
  teamsUser,
  type GroupGuardUnderTest,
} from '../e2e/start-groupguard';

const u = SEED.users;
const g = SEED.groups;
const alex = teamsUser('Alex Wilber', u.alex);
const megan = teamsUser('Megan Bowen', u.megan);
const HOUR = 3_600_000;

/**
 * Loopholes around the second approver: a restore into the approver group or into a group
 * nested in a tier 0 group, a request confirmed days later or after its requester left the
 * approvers, and an old case decided without a word. Time moves through the clock GroupGuard
 * is given, never by waiting; it only moves forward, so cached answers age as they would.
 */
describe('hostile approvers: four eyes without loopholes', () => {
  let gg: GroupGuardUnderTest;
  let offsetMs = 0;
  const clock: Clock = { now: () => new Date(Date.now() + offsetMs) };

  beforeAll(async () => {
    gg = await startGroupGuard({ TIER0_GROUP_IDS: g.finance }, { clock });
    await installInTeam(gg, alex);
  });
  afterAll(async () => {
    await gg?.stop();
  });

  const statusOf = async (post: ChannelPostRecord) =>
    (await gg.app.store.getCase(caseIdOf(post)))?.status;
  const addsOf = (groupId: string, memberId: string) =>
    gg.sim.directory
      .auditRecords()
      .filter(
        (r) =>
          r.activityDisplayName === 'Add member to group' &&
          JSON.stringify(r.targetResources).includes(groupId) &&
          JSON.stringify(r.targetResources).includes(memberId),
      );

  it('asks for a reason typed now before deciding a removal older than STALE_CASE_AGE (7 d)', async () => {
    gg.sim.directory.removeMember(g.mfaRequired, u.nestor, u.diego);
    const post = await casePost(gg, 'Nestor Wilke', 'MFA Required');
    offsetMs += 8 * 24 * HOUR;
    const silent = await clickCurrent(gg, post, alex, 'restore');
    expect(silent.text).toContain(
      'This removal is older than 7 d: type a reason for deciding it now, then click again. Nothing was changed.',
    );
    expect(await statusOf(post)).toBe('open');
    await clickCurrent(gg, post, alex, 'restore', { reason: 'still needs MFA' });
    expect(await statusOf(post)).toBe('restored');
  });

  it('lets nobody confirm a restore request after RESTORE_REQUEST_TTL (24 h); anyone may clear it', async () => {
    gg.sim.directory.removeMember(g.tier0, u.adele, u.diego);
    const post = await casePost(gg, 'Adele Vance', 'Tier 0 Admins');
    await clickCurrent(gg, post, alex, 'restore', { reason: 'on call tonight' });
    expect(await statusOf(post)).toBe('restore-requested');

    offsetMs += 25 * HOUR;
    const late = await clickCurrent(gg, post, megan, 'confirm-restore', { reason: 'ok' });
    expect(late.text).toContain(
      'The restore request by Alex Wilber expired after 1 d, so it cannot be confirmed.',
    );
    expect(await statusOf(post)).toBe('restore-requested');
    expect(addsOf(g.tier0, u.adele)).toEqual([]);

    await clickCurrent(gg, post, megan, 'cancel-restore');
    expect(await statusOf(post)).toBe('open');
  });

  it('lets nobody confirm a request whose requester has left the approver group', async () => {
    gg.sim.directory.removeMember(g.tier0, u.breakGlass, u.diego);
    const post = await casePost(gg, 'Break Glass', 'Tier 0 Admins');
    await clickCurrent(gg, post, alex, 'restore', { reason: 'break-glass must stay' });
    expect(await statusOf(post)).toBe('restore-requested');

    gg.sim.directory.removeMember(g.secOpsApprovers, u.alex, u.diego);
    try {
      offsetMs += 2 * 60_000; // past the 60 s a "yes" is believed
      const confirm = await clickCurrent(gg, post, megan, 'confirm-restore', { reason: 'ok' });
      expect(confirm.text).toContain(
        'Alex Wilber, who requested this restore, is no longer an approver, so it cannot be confirmed.',
      );
      expect(await statusOf(post)).toBe('restore-requested');
      expect(addsOf(g.tier0, u.breakGlass)).toEqual([]);
    } finally {
      gg.sim.directory.addMember(g.secOpsApprovers, u.alex, u.diego);
      offsetMs += 2 * 60_000;
    }
  });

  it('treats a group nested in a tier 0 group as privileged (Graph checkMemberGroups on the group)', async () => {
    // Finance Team is tier 0 here (TIER0_GROUP_IDS); MFA Required becomes a member of it.
    gg.sim.directory.addMember(g.finance, g.mfaRequired, u.diego);
    gg.sim.directory.removeMember(g.mfaRequired, u.isaiah, u.diego);
    const post = await casePost(gg, 'Isaiah Langer', 'MFA Required');
    const silent = await clickCurrent(gg, post, alex, 'restore');
    expect(silent.text).toContain(
      'MFA Required is a group nested in a tier 0 group: type a reason, then click again.',
    );
    await clickCurrent(gg, post, alex, 'restore', { reason: 'needs MFA' });
    expect(await statusOf(post)).toBe('restore-requested');
    expect(addsOf(g.mfaRequired, u.isaiah)).toEqual([]);
    await clickCurrent(gg, post, megan, 'confirm-restore', { reason: 'agreed' });
    expect(await statusOf(post)).toBe('restored');
  });

  it('lets no one approver keep a member out of a tier 0 group alone', async () => {
    gg.sim.directory.removeMember(g.finance, u.lee, u.diego);
    const post = await casePost(gg, 'Lee Gu', 'Finance Team');
    await clickCurrent(gg, post, alex, 'approve', { reason: 'left Finance' });
    expect(await statusOf(post)).toBe('approval-requested');
    const again = await clickCurrent(gg, post, alex, 'approve', { reason: 'really' });
    expect(again.text).toContain(
      'You asked to approve this removal; a second approver must confirm it.',
    );
    expect(await statusOf(post)).toBe('approval-requested');
    await clickCurrent(gg, post, megan, 'approve', { reason: 'agreed' });
    expect(await statusOf(post)).toBe('approved');
    const log = await gg.app.store.readCaseDecisions(caseIdOf(post));
    expect(
      log.filter((r) => r.result !== 'refused').map((r) => [r.result, r.approverName]),
    ).toEqual([
      ['approval-requested', 'Alex Wilber'],
      ['approved', 'Megan Bowen'],
    ]);
  });

  it('treats the approver group itself as privileged: one approver cannot add a third', async () => {
    gg.sim.directory.removeMember(g.secOpsApprovers, u.megan, u.diego);
    const post = await casePost(gg, 'Megan Bowen', 'SecOps Approvers');
    await clickCurrent(gg, post, alex, 'restore', { reason: 'she is on the team' });
    expect(await statusOf(post)).toBe('restore-requested');
    expect(gg.sim.directory.isMember(g.secOpsApprovers, u.megan)).toBe(false);
    expect(addsOf(g.secOpsApprovers, u.megan)).toEqual([]);
  });
});
