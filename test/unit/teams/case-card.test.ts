import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Case } from '../../../src/core/case';
import { cardActions } from '../../../src/teams/card-actions/index';
import { renderCaseCard } from '../../../src/teams/render-case-card';

const openCase: Case = {
  id: 7,
  groupId: 'g',
  groupName: 'Tier 0 Admins',
  memberId: 'adele',
  memberName: 'Adele Vance',
  removedAt: '2026-11-25T10:00:00.123Z',
  foundBy: 'notification',
  status: 'open',
  version: 2,
  restoreBlockedReason: null,
  decision: null,
  lastError: null,
  card: null,
};

const actionsOf = (card: unknown) => {
  const found: Array<{ verb: string; data: unknown }> = [];
  JSON.stringify(card, (_k, v: { type?: string; verb?: string; data?: unknown }) => {
    if (v?.type === 'Action.Execute') found.push({ verb: v.verb ?? '', data: v.data });
    return v;
  });
  return found;
};

describe('case card', () => {
  it('offers Approve and Restore on an open case, carrying only case id and version', () => {
    const card = renderCaseCard(openCase);
    expect(card).toMatchObject({ type: 'AdaptiveCard', version: '1.5' });
    expect(actionsOf(card)).toEqual([
      { verb: 'approve', data: { caseId: 7, version: 2 } },
      { verb: 'restore', data: { caseId: 7, version: 2 } },
    ]);
    const text = JSON.stringify(card);
    expect(text).toContain('GG-7 · Member removed from Tier 0 Admins');
    expect(text).toContain('Adele Vance');
    expect(text).toContain('{{DATE(2026-11-25T10:00:00Z, SHORT)}}');
  });

  it('shows the decision and no buttons once decided', () => {
    const by = { id: 'alex', name: 'Alex Wilber' };
    const restored = renderCaseCard({
      ...openCase,
      status: 'restored',
      decision: { verb: 'restore', by, at: '2026-11-25T10:02:00Z' },
    });
    expect(actionsOf(restored)).toEqual([]);
    expect(JSON.stringify(restored)).toContain(
      'Restored by Alex Wilber at {{DATE(2026-11-25T10:02:00Z, SHORT)}}',
    );
    const approved = renderCaseCard({
      ...openCase,
      status: 'approved',
      decision: { verb: 'approve', by, at: '2026-11-25T10:02:00Z' },
    });
    expect(JSON.stringify(approved)).toContain('Removal approved by Alex Wilber');
  });

  it('does not offer Restore where Graph cannot add members, and says why', () => {
    const card = renderCaseCard({
      ...openCase,
      restoreBlockedReason: 'membership comes from a dynamic rule',
    });
    expect(actionsOf(card).map((a) => a.verb)).toEqual(['approve']);
    expect(JSON.stringify(card)).toContain(
      'Restore is not offered: membership comes from a dynamic rule.',
    );
  });

  it('shows a notice and the last error only when there is one', () => {
    expect(JSON.stringify(renderCaseCard(openCase))).not.toContain('"color":"Warning"');
    const card = JSON.stringify(
      renderCaseCard({ ...openCase, lastError: 'Restore by X failed: 503' }, 'Card out of date'),
    );
    expect(card).toContain('Card out of date');
    expect(card).toContain('Restore by X failed: 503');
  });

  it('keeps a name with template syntax as plain text', () => {
    const card = JSON.stringify(
      renderCaseCard({ ...openCase, memberName: '${groupName} {{evil}}' }),
    );
    expect(card).toContain('${groupName} {{evil}}');
  });

  it('has a handler for every verb on every card, and a card for every handler', () => {
    const cardsDir = join(__dirname, '..', '..', '..', 'cards');
    const verbs = new Set<string>();
    for (const file of readdirSync(cardsDir).filter(
      (f) => f.endsWith('.json') && !f.includes('.sample.'),
    )) {
      for (const a of actionsOf(JSON.parse(readFileSync(join(cardsDir, file), 'utf8'))))
        verbs.add(a.verb);
    }
    const handlers = [...cardActions({} as never).keys()];
    expect([...verbs].sort()).toEqual(handlers.sort());
  });
});
