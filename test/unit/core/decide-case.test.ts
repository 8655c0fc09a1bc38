import { privilegeOf, type Case, type CaseVerb } from '../../../src/core/case';
import {
  checkDecision,
  verbsFor,
  verbsOnCard,
  type DecisionRules,
} from '../../../src/core/decide-case';

const alex = { id: 'alex-id', name: 'Alex Wilber' };
const megan = { id: 'megan-id', name: 'Megan Bowen' };
const diego = { id: 'diego-id', name: 'Diego Siciliani' };

const openCase: Case = {
  id: 1,
  groupId: 'finance-id',
  groupName: 'Finance Team',
  memberId: 'adele-id',
  memberName: 'Adele Vance',
  removedAt: '2026-11-25T10:00:00.000Z',
  foundBy: 'notification',
  status: 'open',
  version: 3,
  restoreBlockedReason: null,
  groupIsRoleAssignable: false,
  actor: { kind: 'user', ...diego },
  restoreRequest: null,
  decision: null,
  lastError: null,
  card: null,
};

const rules: DecisionRules = {
  disabledReason: null,
  approverGroupName: 'SecOps Approvers',
  privilege: null,
};
const privileged: DecisionRules = { ...rules, privilege: 'role-assignable group' };

const click = (
  verb: CaseVerb,
  overrides: Partial<Parameters<typeof checkDecision>[1]> = {},
): Parameters<typeof checkDecision>[1] => ({
  verb,
  cardVersion: 3,
  approver: alex,
  isApprover: true,
  reason: null,
  ...overrides,
});

const requested: Case = {
  ...openCase,
  groupIsRoleAssignable: true,
  status: 'restore-requested',
  version: 4,
  restoreRequest: { by: alex, at: '2026-11-25T10:01:00.000Z', reason: 'on call tonight' },
};

describe('checkDecision', () => {
  it('lets an approver decide the current version of an open case', () => {
    expect(checkDecision(openCase, click('restore'), rules)).toEqual({
      kind: 'proceed',
      next: 'restoring',
    });
    expect(checkDecision(openCase, click('approve'), rules)).toEqual({
      kind: 'proceed',
      next: 'approved',
    });
  });

  it('refuses everyone while decisions are disabled, and says why', () => {
    const check = checkDecision(openCase, click('restore'), {
      ...rules,
      disabledReason: 'no approver group is configured (set APPROVER_GROUP_ID)',
    });
    expect(check).toEqual({
      kind: 'refused',
      reason:
        'Decisions are disabled: no approver group is configured (set APPROVER_GROUP_ID). Nothing was changed.',
    });
  });

  it('refuses a non-approver before anything else about the case', () => {
    const check = checkDecision(
      openCase,
      click('restore', { isApprover: false, cardVersion: 1 }),
      rules,
    );
    expect(check).toEqual({
      kind: 'refused',
      reason: 'Only members of SecOps Approvers can decide cases. Nothing was changed.',
    });
  });

  it('answers a click on a decided or in-flight case with the case as it is', () => {
    for (const status of ['approved', 'restored', 'restoring'] as const) {
      expect(checkDecision({ ...openCase, status }, click('approve'), rules)).toEqual({
        kind: 'already-decided',
      });
    }
  });

  it('treats another card version as stale', () => {
    expect(checkDecision(openCase, click('approve', { cardVersion: 2 }), rules)).toEqual({
      kind: 'stale',
    });
    expect(checkDecision(openCase, click('approve', { cardVersion: 4 }), rules)).toEqual({
      kind: 'stale',
    });
  });

  it('never lets the removed member decide their own case', () => {
    for (const verb of ['approve', 'restore'] as const) {
      const check = checkDecision(
        openCase,
        click(verb, { approver: { id: 'ADELE-ID', name: 'Adele Vance' } }),
        rules,
      );
      expect(check).toMatchObject({ kind: 'refused', reason: expect.stringMatching(/removed/) });
    }
  });

  it('does not let the actor approve their own removal, but lets them restore', () => {
    const byDiego = click('approve', { approver: diego });
    expect(checkDecision(openCase, byDiego, rules)).toEqual({
      kind: 'refused',
      reason: 'You removed Adele Vance yourself, so another approver must approve the removal.',
    });
    expect(checkDecision(openCase, { ...byDiego, verb: 'restore' }, rules).kind).toBe('proceed');
  });

  it('keeps Approve closed while the audit log has not named the actor', () => {
    const unknown = { ...openCase, actor: null };
    expect(checkDecision(unknown, click('approve'), rules)).toEqual({
      kind: 'refused',
      reason:
        'Waiting for the audit log to say who removed Adele Vance; Approve is possible once it does. Nothing was changed.',
    });
    expect(checkDecision(unknown, click('restore'), rules).kind).toBe('proceed');
  });

  it('refuses a restore the group cannot take', () => {
    const dynamic = { ...openCase, restoreBlockedReason: 'membership comes from a dynamic rule' };
    expect(checkDecision(dynamic, click('restore'), rules)).toEqual({
      kind: 'refused',
      reason: 'Restore is not possible: membership comes from a dynamic rule.',
    });
    expect(checkDecision(dynamic, click('approve'), rules).kind).toBe('proceed');
  });

  describe('four eyes on a privileged group', () => {
    const tier0 = { ...openCase, groupIsRoleAssignable: true, groupName: 'Tier 0 Admins' };

    it('needs a reason for every decision but a cancel', () => {
      for (const verb of ['approve', 'restore'] as const) {
        expect(checkDecision(tier0, click(verb), privileged)).toEqual({
          kind: 'refused',
          reason:
            'Tier 0 Admins is a role-assignable group: type a reason, then click again. Nothing was changed.',
        });
      }
      expect(
        checkDecision(tier0, click('approve', { reason: 'left the team' }), privileged),
      ).toEqual({ kind: 'proceed', next: 'approval-requested' });
    });

    it('turns the first Restore into a request, not a Graph call', () => {
      expect(checkDecision(tier0, click('restore', { reason: 'needed' }), privileged)).toEqual({
        kind: 'proceed',
        next: 'restore-requested',
      });
    });

    it('lets a different approver confirm, never the requester', () => {
      const confirmByAlex = click('confirm-restore', { cardVersion: 4, reason: 'ok' });
      expect(checkDecision(requested, confirmByAlex, privileged)).toEqual({
        kind: 'refused',
        reason: 'You requested this restore; a second approver must confirm it.',
      });
      expect(
        checkDecision(requested, { ...confirmByAlex, approver: megan, reason: null }, privileged),
      ).toMatchObject({ kind: 'refused', reason: expect.stringMatching(/type a reason/) });
      expect(checkDecision(requested, { ...confirmByAlex, approver: megan }, privileged)).toEqual({
        kind: 'proceed',
        next: 'restoring',
      });
    });

    it('lets only the requester cancel, without a reason', () => {
      const cancel = click('cancel-restore', { cardVersion: 4 });
      expect(checkDecision(requested, cancel, privileged)).toEqual({
        kind: 'proceed',
        next: 'open',
      });
      expect(checkDecision(requested, { ...cancel, approver: megan }, privileged)).toEqual({
        kind: 'refused',
        reason: 'Only Alex Wilber, who requested the restore, can cancel it.',
      });
    });

    it('refuses a second request and a confirm or cancel with nothing pending', () => {
      expect(
        checkDecision(requested, click('restore', { cardVersion: 4, reason: 'x' }), privileged),
      ).toMatchObject({ kind: 'refused', reason: expect.stringMatching(/already requested/) });
      expect(
        checkDecision(tier0, click('confirm-restore', { reason: 'x' }), privileged),
      ).toMatchObject({ kind: 'refused' });
      expect(checkDecision(tier0, click('cancel-restore'), privileged)).toMatchObject({
        kind: 'refused',
      });
    });

    it('lets another approver ask to approve the removal instead, declining the request', () => {
      expect(
        checkDecision(
          requested,
          click('approve', { approver: megan, cardVersion: 4, reason: 'stays out' }),
          privileged,
        ),
      ).toEqual({ kind: 'proceed', next: 'approval-requested' });
    });
  });
});

describe('privilegeOf', () => {
  it('names role-assignable groups and configured tier 0 groups, case-insensitively', () => {
    expect(privilegeOf(openCase, new Set())).toBeNull();
    expect(privilegeOf({ ...openCase, groupIsRoleAssignable: true }, new Set())).toBe(
      'role-assignable group',
    );
    expect(privilegeOf({ ...openCase, groupId: 'FINANCE-ID' }, new Set(['finance-id']))).toBe(
      'tier 0 group',
    );
  });
});

describe('verbs on the card', () => {
  it('offers what the state allows to everyone, and to each person what they may do', () => {
    expect(verbsOnCard(openCase, rules)).toEqual(['approve', 'restore']);
    expect(verbsOnCard(requested, privileged)).toEqual([
      'confirm-restore',
      'cancel-restore',
      'approve',
    ]);
    expect(verbsOnCard({ ...openCase, status: 'restored' }, rules)).toEqual([]);
    expect(verbsOnCard(openCase, { ...rules, disabledReason: 'off' })).toEqual([]);

    expect(verbsFor(requested, { person: alex, isApprover: true }, privileged)).toEqual([
      'approve',
      'cancel-restore',
    ]);
    expect(verbsFor(requested, { person: megan, isApprover: true }, privileged)).toEqual([
      'approve',
      'confirm-restore',
    ]);
    expect(verbsFor(openCase, { person: megan, isApprover: false }, rules)).toEqual([]);
    expect(verbsFor(openCase, { person: diego, isApprover: true }, rules)).toEqual(['restore']);
  });
});

describe('four eyes without loopholes', () => {
  const HOUR = 3_600_000;
  const requestedAt = Date.parse(requested.restoreRequest?.at ?? '');
  const timed = (now: number): DecisionRules => ({
    ...privileged,
    timing: { now, restoreRequestTtlMs: 24 * HOUR, staleCaseAgeMs: 7 * 24 * HOUR },
  });
  const asMegan = (verb: CaseVerb, extra: Partial<Parameters<typeof checkDecision>[1]> = {}) =>
    click(verb, { approver: megan, cardVersion: 4, reason: 'agreed', ...extra });

  it('lets a restore request be confirmed until it expires, then by nobody', () => {
    expect(
      checkDecision(requested, asMegan('confirm-restore'), timed(requestedAt + 23 * HOUR)),
    ).toEqual({
      kind: 'proceed',
      next: 'restoring',
    });
    expect(
      checkDecision(requested, asMegan('confirm-restore'), timed(requestedAt + 25 * HOUR)),
    ).toEqual({
      kind: 'refused',
      reason:
        'The restore request by Alex Wilber expired after 1 d, so it cannot be confirmed. Cancel it, or click Restore to request it again. Nothing was changed.',
    });
  });

  it('lets anyone clear a request that expired, and a new Restore replace it', () => {
    const late = timed(requestedAt + 25 * HOUR);
    expect(checkDecision(requested, asMegan('cancel-restore'), late)).toEqual({
      kind: 'proceed',
      next: 'open',
    });
    expect(checkDecision(requested, asMegan('restore'), late)).toEqual({
      kind: 'proceed',
      next: 'restore-requested',
    });
    expect(checkDecision(requested, asMegan('restore'), timed(requestedAt + HOUR))).toMatchObject({
      kind: 'refused',
    });
  });

  it('refuses to confirm a request whose requester is no longer an approver', () => {
    const soon = timed(requestedAt + HOUR);
    expect(
      checkDecision(requested, asMegan('confirm-restore', { requesterIsApprover: false }), soon),
    ).toEqual({
      kind: 'refused',
      reason:
        'Alex Wilber, who requested this restore, is no longer an approver, so it cannot be confirmed. Cancel it, or click Restore to request it again. Nothing was changed.',
    });
    expect(
      checkDecision(requested, asMegan('confirm-restore', { requesterIsApprover: true }), soon),
    ).toEqual({ kind: 'proceed', next: 'restoring' });
  });

  it('asks for a reason typed now on a case older than the stale age, for every decision', () => {
    const removed = Date.parse(openCase.removedAt);
    const stale: DecisionRules = {
      ...rules,
      timing: {
        now: removed + 8 * 24 * HOUR,
        restoreRequestTtlMs: 24 * HOUR,
        staleCaseAgeMs: 7 * 24 * HOUR,
      },
    };
    for (const verb of ['approve', 'restore'] as const) {
      expect(checkDecision(openCase, click(verb), stale)).toEqual({
        kind: 'refused',
        reason:
          'This removal is older than 7 d: type a reason for deciding it now, then click again. Nothing was changed.',
      });
      expect(checkDecision(openCase, click(verb, { reason: 'checked with HR' }), stale).kind).toBe(
        'proceed',
      );
    }
    const fresh = { ...stale, timing: { ...stale.timing!, now: removed + 6 * 24 * HOUR } };
    expect(checkDecision(openCase, click('approve'), fresh)).toEqual({
      kind: 'proceed',
      next: 'approved',
    });
  });

  it('names hostile names in refusals as inert text', () => {
    const check = checkDecision(
      { ...openCase, actor: null, memberName: '[x](https://evil.example)\n<at>Megan</at>' },
      click('approve'),
      rules,
    );
    expect(check).toEqual({
      kind: 'refused',
      reason:
        'Waiting for the audit log to say who removed ⁅x⁆(https[:]//evil[.]example) ‹at›Megan‹/at›; Approve is possible once it does. Nothing was changed.',
    });
  });
});

describe('approving a privileged removal', () => {
  const tier0Case: Case = { ...openCase, groupIsRoleAssignable: true };
  const asked: Case = {
    ...tier0Case,
    status: 'approval-requested',
    version: 4,
    restoreRequest: { by: alex, at: '2026-11-25T10:01:00.000Z', reason: 'left the team' },
  };

  it('takes two approvers: the first asks, a different one confirms', () => {
    expect(checkDecision(tier0Case, click('approve', { reason: 'left' }), privileged)).toEqual({
      kind: 'proceed',
      next: 'approval-requested',
    });
    const mine = click('approve', { cardVersion: 4, reason: 'again' });
    expect(checkDecision(asked, mine, privileged)).toEqual({
      kind: 'refused',
      reason: 'You asked to approve this removal; a second approver must confirm it.',
    });
    const second = click('approve', { cardVersion: 4, approver: megan, reason: 'agreed' });
    expect(checkDecision(asked, second, privileged)).toEqual({ kind: 'proceed', next: 'approved' });
  });

  it('lets only the one who asked cancel, and anyone turn it into a restore request', () => {
    const cancel = (by: typeof alex) => click('cancel-restore', { cardVersion: 4, approver: by });
    expect(checkDecision(asked, cancel(megan), privileged)).toEqual({
      kind: 'refused',
      reason: 'Only Alex Wilber, who asked to approve the removal, can cancel it.',
    });
    expect(checkDecision(asked, cancel(alex), privileged)).toEqual({
      kind: 'proceed',
      next: 'open',
    });
    expect(
      checkDecision(
        asked,
        click('restore', { cardVersion: 4, approver: megan, reason: 'no' }),
        privileged,
      ),
    ).toEqual({ kind: 'proceed', next: 'restore-requested' });
    expect(verbsOnCard(asked, privileged)).toEqual(['approve', 'restore', 'cancel-restore']);
  });

  it('turns an approval on a pending restore request into an approval request', () => {
    expect(
      checkDecision(
        requested,
        click('approve', { cardVersion: 4, approver: megan, reason: 'no' }),
        privileged,
      ),
    ).toEqual({ kind: 'proceed', next: 'approval-requested' });
  });
});

describe('a pending approval request', () => {
  const HOUR = 3_600_000;
  const asked: Case = {
    ...openCase,
    groupIsRoleAssignable: true,
    status: 'approval-requested',
    version: 4,
    restoreRequest: { by: alex, at: '2026-11-25T10:01:00.000Z', reason: 'left the team' },
  };
  const at = (now: number): DecisionRules => ({
    ...privileged,
    timing: { now, restoreRequestTtlMs: 24 * HOUR, staleCaseAgeMs: 30 * 24 * HOUR },
  });
  const second = (extra: Partial<Parameters<typeof checkDecision>[1]> = {}) =>
    click('approve', { cardVersion: 4, approver: megan, reason: 'agreed', ...extra });
  const askedAt = Date.parse('2026-11-25T10:01:00.000Z');

  it('is confirmed only while it stands: once expired or its asker gone, Approve asks anew', () => {
    expect(checkDecision(asked, second(), at(askedAt + HOUR))).toEqual({
      kind: 'proceed',
      next: 'approved',
    });
    expect(checkDecision(asked, second(), at(askedAt + 25 * HOUR))).toEqual({
      kind: 'proceed',
      next: 'approval-requested',
    });
    expect(
      checkDecision(asked, second({ requesterIsApprover: false }), at(askedAt + HOUR)),
    ).toEqual({ kind: 'proceed', next: 'approval-requested' });
    expect(
      checkDecision(
        asked,
        click('cancel-restore', { cardVersion: 4, approver: megan }),
        at(askedAt + 25 * HOUR),
      ),
    ).toEqual({ kind: 'proceed', next: 'open' });
  });
});
