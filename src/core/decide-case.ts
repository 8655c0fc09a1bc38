import type { Case, DecisionVerb, Person } from './case.js';

export type DecisionCheck =
  | { kind: 'proceed' }
  | { kind: 'already-decided'; case: Case }
  | { kind: 'stale'; case: Case }
  | { kind: 'refused'; reason: string };

/** Pure rules for whether a click may turn into a decision; identity and case come from the server. */
export function checkDecision(
  current: Case,
  verb: DecisionVerb,
  cardVersion: number,
  _approver: Person,
): DecisionCheck {
  if (current.status !== 'open') return { kind: 'already-decided', case: current };
  if (cardVersion !== current.version) return { kind: 'stale', case: current };
  if (verb === 'restore' && current.restoreBlockedReason) {
    return { kind: 'refused', reason: `Restore is not possible: ${current.restoreBlockedReason}.` };
  }
  return { kind: 'proceed' };
}

export function describeDecision(c: Case): string | null {
  if (!c.decision) return null;
  if (c.status === 'restoring') return `Restore requested by ${c.decision.by.name}`;
  const what = c.decision.verb === 'restore' ? 'Restored' : 'Removal approved';
  return `${what} by ${c.decision.by.name}`;
}
