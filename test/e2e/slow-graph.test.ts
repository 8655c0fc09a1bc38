import { SEED } from '../../src/sim/seed-tenant';
import { caseIdOf, casePost, clickCurrent, textOf, waitForCardText } from './case-cards';
import {
  installInTeam,
  startGroupGuard,
  teamsUser,
  type GroupGuardUnderTest,
} from './start-groupguard';

const u = SEED.users;
const g = SEED.groups;
const alex = teamsUser('Alex Wilber', u.alex);
const megan = teamsUser('Megan Bowen', u.megan);
/** CLICK_ANSWER_BUDGET_MS's default; Teams wants invoke answers within about 5 s (reference/teams.md §4). */
const BUDGET_MS = 2_000;
const SLOW = 'Microsoft Graph is slow to answer';

/**
 * A click never waits on a slow Graph: the simulator holds or throttles one route, the click is
 * answered within the budget (the upper bound is the contract itself), and the card is updated
 * in place for everyone when the decision settles.
 */
describe('a click while Graph is slow', () => {
  let gg: GroupGuardUnderTest;

  beforeAll(async () => {
    gg = await startGroupGuard({ CLICK_ANSWER_BUDGET_MS: String(BUDGET_MS) });
    await installInTeam(gg, alex);
  });
  afterAll(async () => {
    await gg?.stop();
  });

  const addsOf = (groupId: string, memberId: string) =>
    gg.sim.directory
      .auditRecords()
      .filter(
        (a) =>
          a.activityDisplayName === 'Add member to group' &&
          a.targetResources.some((t) => t.id === memberId) &&
          a.targetResources.some((t) => t.id === groupId),
      );
  const timed = async <T>(work: () => Promise<T>) => {
    const started = performance.now();
    const value = await work();
    return { value, ms: performance.now() - started };
  };

  it('answers "Restoring…" within the budget while Graph holds the restore, then updates the card in place', async () => {
    gg.sim.directory.removeMember(g.mfaRequired, u.adele, u.diego);
    const post = await casePost(gg, 'Adele Vance', 'MFA Required');
    const held = gg.sim.hold('POST', 'groups/:id/members/$ref');
    try {
      const { value: response, ms } = await timed(() => clickCurrent(gg, post, alex, 'restore'));
      expect(ms).toBeLessThan(BUDGET_MS);
      expect(response.shown.kind).toBe('card');
      expect(response.text).toContain('Restoring… started by Alex Wilber');
      expect(response.text).toContain(
        `${SLOW}; the card updates for everyone when the restore settles.`,
      );
      await held.arrivals(1);
      expect((await gg.app.store.getCase(caseIdOf(post)))?.status).toBe('restoring');
      expect(gg.sim.directory.isMember(g.mfaRequired, u.adele)).toBe(false);
      await waitForCardText(gg, post, 'Restoring… started by Alex Wilber');
    } finally {
      held.release();
    }
    await waitForCardText(gg, post, 'Restored by Alex Wilber');
    expect(gg.sim.directory.isMember(g.mfaRequired, u.adele)).toBe(true);
    expect(addsOf(g.mfaRequired, u.adele)).toHaveLength(1);
  });

  it('changes nothing before Graph says the clicker is an approver, and answers within the budget meanwhile', async () => {
    gg.sim.directory.removeMember(g.mfaRequired, u.lynne, u.diego);
    const post = await casePost(gg, 'Lynne Robbins', 'MFA Required');
    const before = await gg.app.store.getCase(caseIdOf(post));
    const logged = (await gg.app.store.readDecisionLog(0, 1000)).length;
    const held = gg.sim.hold('POST', 'directoryObjects/:id/checkMemberGroups');
    try {
      const { value: response, ms } = await timed(() => clickCurrent(gg, post, megan, 'restore'));
      expect(ms).toBeLessThan(BUDGET_MS);
      expect(response.shown.kind).toBe('card');
      expect(response.text).toContain(`${SLOW}, so nothing has changed yet.`);
      expect(response.text).toContain('Open: approve the removal or restore the member');
      await held.arrivals(1);
      expect(await gg.app.store.getCase(caseIdOf(post))).toMatchObject({
        status: 'open',
        version: before?.version,
        decision: null,
      });
      expect(await gg.app.store.readDecisionLog(0, 1000)).toHaveLength(logged);
    } finally {
      held.release();
    }
    await waitForCardText(gg, post, 'Restored by Megan Bowen');
    expect(gg.sim.directory.isMember(g.mfaRequired, u.lynne)).toBe(true);
  });

  it('gives up on a slow audit log at click time and restores without it', async () => {
    gg.sim.holdAuditLog(true);
    gg.sim.directory.removeMember(g.finance, u.lee, u.diego);
    const post = await casePost(gg, 'Lee Gu', 'Finance Team');
    expect(textOf(post.card)).toContain('not known yet (waiting for the audit log)');
    const audit = gg.sim.hold('GET', 'auditLogs/directoryAudits');
    gg.sim.holdAuditLog(false);
    try {
      const { value: response, ms } = await timed(() => clickCurrent(gg, post, alex, 'restore'));
      expect(ms).toBeLessThan(BUDGET_MS);
      expect(audit.arrived).toBe(1);
      expect(response.text).toMatch(/Restored by Alex Wilber|Restoring… started by Alex Wilber/);
      expect(response.text).not.toContain('out of date');
    } finally {
      audit.release();
    }
    await waitForCardText(gg, post, 'Restored by Alex Wilber');
    expect(gg.sim.directory.isMember(g.finance, u.lee)).toBe(true);
    const log = (await gg.app.store.readDecisionLog(0, 1000)).filter(
      (r) => r.caseId === caseIdOf(post),
    );
    expect(log.map((r) => r.result)).toEqual(['restore-claimed', 'restored']);
  });

  it('keeps the case "restoring" through a 429 storm with a long Retry-After, then settles with one add', async () => {
    gg.sim.directory.removeMember(g.finance, u.johanna, u.diego);
    const post = await casePost(gg, 'Johanna Lorenz', 'Finance Team');
    // Longer than the whole budget: the Graph SDK honours Retry-After before it tries again.
    const storm = gg.sim.hold('POST', 'groups/:id/members/$ref', { throttleRetryAfterSeconds: 3 });
    try {
      const { value: response, ms } = await timed(() => clickCurrent(gg, post, alex, 'restore'));
      expect(ms).toBeLessThan(BUDGET_MS);
      expect(response.text).toContain('Restoring… started by Alex Wilber');
      await storm.arrivals(2);
      expect((await gg.app.store.getCase(caseIdOf(post)))?.status).toBe('restoring');
    } finally {
      storm.release();
    }
    await waitForCardText(gg, post, 'Restored by Alex Wilber');
    expect(addsOf(g.finance, u.johanna)).toHaveLength(1);
  });

  it('fails visibly when the storm outlasts every retry, with no add and the case open again', async () => {
    gg.sim.directory.removeMember(g.finance, u.patti, u.diego);
    const post = await casePost(gg, 'Patti Fernandez', 'Finance Team');
    const storm = gg.sim.hold('POST', 'groups/:id/members/$ref', { throttleRetryAfterSeconds: 1 });
    try {
      const response = await clickCurrent(gg, post, alex, 'restore');
      expect(response.text).toContain('Restoring… started by Alex Wilber');
      await waitForCardText(
        gg,
        post,
        'Restore by Alex Wilber failed: Microsoft Graph kept throttling GroupGuard (HTTP 429).',
      );
    } finally {
      storm.release();
    }
    expect(storm.arrived).toBeGreaterThan(1);
    expect(await gg.app.store.getCase(caseIdOf(post))).toMatchObject({ status: 'open' });
    expect(addsOf(g.finance, u.patti)).toHaveLength(0);
    const log = (await gg.app.store.readDecisionLog(0, 1000)).filter(
      (r) => r.caseId === caseIdOf(post),
    );
    expect(log.map((r) => r.result)).toEqual(['restore-claimed', 'restore-failed']);
  });
});
