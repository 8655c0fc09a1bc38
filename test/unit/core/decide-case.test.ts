import type { Case } from '../../../src/core/case';
import { checkDecision, describeDecision } from '../../../src/core/decide-case';

const approver = { id: 'alex', name: 'Alex Wilber' };
const openCase: Case = {
  id: 1,
  groupId: 'g',
  groupName: 'Tier 0 Admins',
  memberId: 'adele',
  memberName: 'Adele Vance',
  removedAt: '2026-11-25T10:00:00.000Z',
  foundBy: 'notification',
  status: 'open',
  version: 3,
  restoreBlockedReason: null,
  decision: null,
  lastError: null,
  card: null,
};

describe('checkDecision', () => {
  it('lets a click on the current version of an open case proceed', () => {
    expect(checkDecision(openCase, 'restore', 3, approver)).toEqual({ kind: 'proceed' });
    expect(checkDecision(openCase, 'approve', 3, approver)).toEqual({ kind: 'proceed' });
  });

  it('answers a click on a decided case with the case as it is', () => {
    const decided: Case = {
      ...openCase,
      status: 'restored',
      version: 5,
      decision: { verb: 'restore', by: approver, at: '2026-11-25T10:01:00.000Z' },
    };
    expect(checkDecision(decided, 'approve', 3, approver)).toEqual({
      kind: 'already-decided',
      case: decided,
    });
    expect(describeDecision(decided)).toBe('Restored by Alex Wilber');
  });

  it('treats an older card version as stale', () => {
    expect(checkDecision(openCase, 'approve', 2, approver)).toEqual({
      kind: 'stale',
      case: openCase,
    });
  });

  it('refuses a restore the group cannot take', () => {
    const dynamic = { ...openCase, restoreBlockedReason: 'membership comes from a dynamic rule' };
    const check = checkDecision(dynamic, 'restore', 3, approver);
    expect(check.kind).toBe('refused');
    expect(checkDecision(dynamic, 'approve', 3, approver).kind).toBe('proceed');
  });
});
