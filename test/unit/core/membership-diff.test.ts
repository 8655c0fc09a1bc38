import { diffFullMembership, diffMembership } from '../../../src/core/membership-diff';

describe('diffMembership', () => {
  const snapshot = new Set(['alex', 'adele', 'diego']);

  it('reports a removal only for a member the snapshot holds', () => {
    const diff = diffMembership(snapshot, [
      { id: 'adele', removed: true },
      { id: 'stranger', removed: true },
    ]);
    expect(diff).toEqual({ added: [], removed: ['adele'] });
  });

  it('reports an addition only for someone the snapshot lacks', () => {
    const diff = diffMembership(snapshot, [
      { id: 'alex', removed: false },
      { id: 'megan', removed: false },
    ]);
    expect(diff).toEqual({ added: ['megan'], removed: [] });
  });

  it('takes the last change when a member appears twice (replays, page splits)', () => {
    const diff = diffMembership(snapshot, [
      { id: 'adele', removed: true },
      { id: 'adele', removed: false },
      { id: 'diego', removed: false },
      { id: 'diego', removed: true },
    ]);
    expect(diff).toEqual({ added: [], removed: ['diego'] });
  });

  it('is empty when a replayed removal was already applied', () => {
    const after = new Set(['alex', 'diego']);
    expect(diffMembership(after, [{ id: 'adele', removed: true }])).toEqual({
      added: [],
      removed: [],
    });
  });
});

describe('diffFullMembership', () => {
  it('compares a complete member list with the snapshot', () => {
    const diff = diffFullMembership(new Set(['a', 'b', 'c']), new Set(['b', 'c', 'd']));
    expect(diff).toEqual({ added: ['d'], removed: ['a'] });
  });
});
