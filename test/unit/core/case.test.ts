import {
  formatCaseRef,
  parseCaseRef,
  restoreBlockedReason,
  type GroupProfile,
} from '../../../src/core/case';

const group = (overrides: Partial<GroupProfile>): GroupProfile => ({
  id: 'g',
  displayName: 'G',
  isAssignableToRole: false,
  isDynamic: false,
  isOnPremisesSynced: false,
  isMailEnabled: false,
  isMicrosoft365: false,
  ...overrides,
});

describe('case references', () => {
  it('round-trips GG-n', () => {
    expect(formatCaseRef(12)).toBe('GG-12');
    expect(parseCaseRef('GG-12')).toBe(12);
    expect(parseCaseRef('gg-7')).toBe(7);
    expect(parseCaseRef(' 42 ')).toBe(42);
  });

  it.each(['', 'GG-', 'GG-1x', 'GG--1', '1.5', 'GG-12345678901'])('rejects %p', (text) => {
    expect(parseCaseRef(text)).toBeNull();
  });
});

describe('restoreBlockedReason', () => {
  it('allows ordinary and role-assignable groups', () => {
    expect(restoreBlockedReason(group({}))).toBeNull();
    expect(restoreBlockedReason(group({ isAssignableToRole: true }))).toBeNull();
  });

  // Graph docs, "Working with groups in Microsoft Graph" (groups-overview): "Only Microsoft 365
  // and security groups can be managed through the Microsoft Graph groups API. Mail-enabled and
  // distribution groups are read-only through Microsoft Graph." A Microsoft 365 group has
  // groupTypes ["Unified"] and mailEnabled true.
  it('allows Microsoft 365 groups, which are mail-enabled and writable through Graph', () => {
    expect(restoreBlockedReason(group({ isMailEnabled: true, isMicrosoft365: true }))).toBeNull();
  });

  it('names why Graph cannot add members', () => {
    expect(restoreBlockedReason(group({ isDynamic: true }))).toMatch(/dynamic/);
    expect(restoreBlockedReason(group({ isOnPremisesSynced: true }))).toMatch(/on-premises/);
    expect(restoreBlockedReason(group({ isMailEnabled: true }))).toBe(
      'mail-enabled security groups and distribution lists are read-only in Graph',
    );
    expect(
      restoreBlockedReason(group({ isDynamic: true, isMailEnabled: true, isMicrosoft365: true })),
    ).toMatch(/dynamic/);
  });
});
