import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Case } from '../../../src/core/case';
import { cardActions } from '../../../src/teams/card-actions/index';
import { renderCaseCard, type CardContext } from '../../../src/teams/render-case-card';

const alex = { id: 'alex', name: 'Alex Wilber' };
const megan = { id: 'megan', name: 'Megan Bowen' };

const openCase: Case = {
  id: 7,
  groupId: 'g',
  groupName: 'Finance Team',
  memberId: 'adele',
  memberName: 'Adele Vance',
  removedAt: '2026-11-25T10:00:00.123Z',
  foundBy: 'notification',
  status: 'open',
  version: 2,
  restoreBlockedReason: null,
  groupIsRoleAssignable: false,
  actor: { kind: 'user', id: 'diego', name: 'Diego Siciliani' },
  restoreRequest: null,
  decision: null,
  lastError: null,
  card: null,
};

const ctx: CardContext = {
  approverGroupName: 'SecOps Approvers',
  disabledReason: null,
  tier0GroupIds: new Set(),
  audience: ['29:alex', '29:megan'],
};

const buttonsOf = (card: unknown) => {
  const found: Array<{ verb: string; data: unknown }> = [];
  JSON.stringify(card, (k, v: { type?: string; verb?: string; data?: unknown }) => {
    if (k !== 'action' && v?.type === 'Action.Execute')
      found.push({ verb: v.verb ?? '', data: v.data });
    return v;
  });
  return found;
};
const inputsOf = (card: unknown) => {
  const found: Array<{ id: string; label: string }> = [];
  JSON.stringify(card, (_k, v: { type?: string; id?: string; label?: string }) => {
    if (v?.type === 'Input.Text') found.push({ id: v.id ?? '', label: v.label ?? '' });
    return v;
  });
  return found;
};

describe('case card', () => {
  it('offers Approve and Restore to everyone on an open case, carrying only case id and version', () => {
    const card = renderCaseCard(openCase, ctx);
    expect(card).toMatchObject({ type: 'AdaptiveCard', version: '1.5' });
    expect(buttonsOf(card)).toEqual([
      { verb: 'approve', data: { caseId: 7, version: 2 } },
      { verb: 'restore', data: { caseId: 7, version: 2 } },
    ]);
    const text = JSON.stringify(card);
    expect(text).toContain('GG-7 · Member removed from Finance Team');
    expect(text).toContain('Adele Vance');
    expect(text).toContain('{"title":"Removed by","value":"Diego Siciliani"}');
    expect(text).toContain('{{DATE(2026-11-25T10:00:00Z, SHORT)}}');
    expect(text).toContain(
      'Only members of SecOps Approvers can decide; GroupGuard checks every click.',
    );
    expect(inputsOf(card)).toEqual([{ id: 'reason', label: 'Reason (optional)' }]);
  });

  it('asks Teams to refresh the card for up to 60 known users with the case id and version', () => {
    const many = Array.from({ length: 75 }, (_, i) => `29:user-${i}`);
    const card = renderCaseCard(openCase, { ...ctx, audience: many });
    expect(card.refresh).toEqual({
      action: { type: 'Action.Execute', verb: 'refresh', data: { caseId: 7, version: 2 } },
      userIds: many.slice(0, 60),
    });
    expect(
      (renderCaseCard(openCase, { ...ctx, audience: [] }).refresh as { userIds: unknown }).userIds,
    ).toEqual([]);
  });

  it('shows an approver their buttons and anyone else a read-only status', () => {
    const mine = renderCaseCard(openCase, ctx, { viewer: { person: alex, isApprover: true } });
    expect(buttonsOf(mine).map((b) => b.verb)).toEqual(['approve', 'restore']);
    const readOnly = renderCaseCard(openCase, ctx, {
      viewer: { person: { id: 'isaiah', name: 'Isaiah Langer' }, isApprover: false },
    });
    expect(buttonsOf(readOnly)).toEqual([]);
    expect(inputsOf(readOnly)).toEqual([]);
    expect(JSON.stringify(readOnly)).toContain(
      'Read only: only members of SecOps Approvers can decide.',
    );
    const actor = renderCaseCard(openCase, ctx, {
      viewer: { person: { id: 'diego', name: 'Diego Siciliani' }, isApprover: true },
    });
    expect(buttonsOf(actor).map((b) => b.verb)).toEqual(['restore']);
  });

  it('shows the card everyone sees when it could not be checked whether the viewer may decide', () => {
    const unknown = renderCaseCard(openCase, ctx, { viewer: { person: alex, isApprover: null } });
    expect(unknown).toEqual(renderCaseCard(openCase, ctx));
  });

  it('says when the actor is not known yet', () => {
    const card = JSON.stringify(renderCaseCard({ ...openCase, actor: null }, ctx));
    expect(card).toContain('not known yet (waiting for the audit log)');
    const app = JSON.stringify(
      renderCaseCard({ ...openCase, actor: { kind: 'app', id: 'sp', name: 'HR sync' } }, ctx),
    );
    expect(app).toContain('HR sync (an app)');
  });

  it('marks a privileged group and requires a reason', () => {
    const tier0 = { ...openCase, groupName: 'Tier 0 Admins', groupIsRoleAssignable: true };
    const card = renderCaseCard(tier0, ctx);
    expect(JSON.stringify(card)).toContain(
      'Privileged (role-assignable group): restoring needs two approvers, and every decision needs a reason.',
    );
    expect(inputsOf(card)).toEqual([{ id: 'reason', label: 'Reason (required)' }]);
    const configured = renderCaseCard(openCase, { ...ctx, tier0GroupIds: new Set(['g']) });
    expect(JSON.stringify(configured)).toContain('Privileged (tier 0 group)');
  });

  it('shows a pending restore with who asked and why; the requester may only cancel', () => {
    const requested: Case = {
      ...openCase,
      groupIsRoleAssignable: true,
      status: 'restore-requested',
      version: 3,
      restoreRequest: { by: alex, at: '2026-11-25T10:01:00Z', reason: 'on call tonight' },
    };
    const base = renderCaseCard(requested, ctx);
    const text = JSON.stringify(base);
    expect(text).toContain('Restore requested by Alex Wilber — needs a second approver');
    expect(text).toContain('Restore requested by Alex Wilber: \\"on call tonight\\"');
    expect(buttonsOf(base).map((b) => b.verb)).toEqual([
      'approve',
      'confirm-restore',
      'cancel-restore',
    ]);
    const byRequester = renderCaseCard(requested, ctx, {
      viewer: { person: alex, isApprover: true },
    });
    expect(buttonsOf(byRequester).map((b) => b.verb)).toEqual(['approve', 'cancel-restore']);
    const bySecond = renderCaseCard(requested, ctx, {
      viewer: { person: megan, isApprover: true },
    });
    expect(buttonsOf(bySecond).map((b) => b.verb)).toEqual(['approve', 'confirm-restore']);
  });

  it('shows the decision, the reason and the requester once decided, and no buttons', () => {
    const restored = renderCaseCard(
      {
        ...openCase,
        status: 'restored',
        restoreRequest: { by: alex, at: '2026-11-25T10:01:00Z', reason: null },
        decision: { verb: 'restore', by: megan, at: '2026-11-25T10:02:00Z', reason: 'agreed' },
      },
      ctx,
    );
    expect(buttonsOf(restored)).toEqual([]);
    expect(inputsOf(restored)).toEqual([]);
    const text = JSON.stringify(restored);
    expect(text).toContain(
      'Restored by Megan Bowen at {{DATE(2026-11-25T10:02:00Z, SHORT)}} {{TIME(2026-11-25T10:02:00Z)}} · requested by Alex Wilber',
    );
    expect(text).toContain('Reason given by Megan Bowen: \\"agreed\\"');
    expect(text).not.toContain('can decide');
    const approved = renderCaseCard(
      {
        ...openCase,
        status: 'approved',
        decision: { verb: 'approve', by: alex, at: '2026-11-25T10:02:00Z' },
      },
      ctx,
    );
    expect(JSON.stringify(approved)).toContain('Removal approved by Alex Wilber');
  });

  it('says decisions are disabled, and why, with no buttons for anyone', () => {
    const disabled = {
      ...ctx,
      disabledReason: 'no approver group is configured (set APPROVER_GROUP_ID)',
    };
    for (const card of [
      renderCaseCard(openCase, disabled),
      renderCaseCard(openCase, disabled, { viewer: { person: alex, isApprover: false } }),
    ]) {
      expect(buttonsOf(card)).toEqual([]);
      expect(JSON.stringify(card)).toContain(
        'Decisions are disabled: no approver group is configured (set APPROVER_GROUP_ID).',
      );
    }
  });

  it('does not offer Restore where Graph cannot add members, and says why', () => {
    const card = renderCaseCard(
      { ...openCase, restoreBlockedReason: 'membership comes from a dynamic rule' },
      ctx,
    );
    expect(buttonsOf(card).map((a) => a.verb)).toEqual(['approve']);
    expect(JSON.stringify(card)).toContain(
      'Restore is not offered: membership comes from a dynamic rule.',
    );
  });

  it('shows a notice and the last error only when there is one', () => {
    expect(JSON.stringify(renderCaseCard(openCase, ctx))).not.toContain('"color":"Warning"');
    const card = JSON.stringify(
      renderCaseCard({ ...openCase, lastError: 'Restore by X failed: 503' }, ctx, {
        notice: 'Card out of date',
      }),
    );
    expect(card).toContain('Card out of date');
    expect(card).toContain('Restore by X failed: 503');
  });

  it('keeps names and reasons with template syntax as plain text', () => {
    const card = JSON.stringify(
      renderCaseCard(
        {
          ...openCase,
          memberName: '${groupName} {{evil}}',
          decision: { verb: 'approve', by: alex, at: '2026-11-25T10:02:00Z', reason: '${caseId}' },
          status: 'approved',
        },
        ctx,
      ),
    );
    expect(card).toContain('$❴groupName❵ ❴❴evil❵❵');
    expect(card).toContain('\\"$❴caseId❵\\"');
  });

  it('keeps a name or reason shaped like a link or a Teams date from becoming one', () => {
    const card = JSON.stringify(
      renderCaseCard(
        {
          ...openCase,
          groupName: '[Verify your account](https://evil.example)',
          memberName: 'Eve {{DATE(2030-01-01T00:00:00Z)}}',
          actor: { kind: 'app', id: 'x', name: '<at>Alex</at>' },
          decision: {
            verb: 'approve',
            by: alex,
            at: '2026-11-25T10:02:00Z',
            reason: 'see [here]( https://evil.example)',
          },
          status: 'approved',
        },
        ctx,
      ),
    );
    expect(card).not.toMatch(/\]\(/);
    expect(card).not.toContain('{{DATE(2030');
    expect(card).not.toContain('<at>');
    expect(card).toContain('⁅Verify your account⁆(https[:]//evil[.]example)');
    expect(card).toContain('{{DATE(2026-11-25T10:02:00Z, SHORT)}}');
  });

  it('has a handler for every verb on every card, and a card for every handler', () => {
    const cardsDir = join(__dirname, '..', '..', '..', 'cards');
    const verbs = new Set<string>();
    for (const file of readdirSync(cardsDir).filter(
      (f) => f.endsWith('.json') && !f.includes('.sample.'),
    )) {
      JSON.stringify(JSON.parse(readFileSync(join(cardsDir, file), 'utf8')), (_k, v) => {
        if (v?.type === 'Action.Execute') verbs.add(v.verb);
        return v;
      });
    }
    const handlers = [...cardActions({} as never).keys()];
    expect([...verbs].sort()).toEqual(handlers.sort());
  });
});
