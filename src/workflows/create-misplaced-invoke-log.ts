import type { Case, CaseVerb, Clock, DecisionLog, Log, Person } from './ports/index.js';

export interface MisplacedInvoke {
  case: Case;
  /** A card verb; decision verbs are also written to the decision log. */
  verb: string;
  person: Person;
}

const CASE_VERBS: ReadonlySet<string> = new Set<CaseVerb>([
  'approve',
  'restore',
  'confirm-restore',
  'cancel-restore',
]);
const MAX_PEOPLE = 10_000;

/**
 * Records a click on a case from somewhere its card does not live. The decision log is
 * append-only, so one person gets at most one record per window, carrying how many attempts it
 * stands for: a script cannot flood the log.
 */
export function createMisplacedInvokeLog(
  deps: { store: DecisionLog; log: Log; clock: Clock },
  windowMs = 60_000,
): (invoke: MisplacedInvoke) => Promise<void> {
  const windows = new Map<string, { until: number; suppressed: number }>();
  return async ({ case: c, verb, person }) => {
    const now = deps.clock.now().getTime();
    const open = windows.get(person.id);
    if (open && now < open.until) {
      open.suppressed++;
      return;
    }
    if (windows.size >= MAX_PEOPLE) windows.clear();
    windows.set(person.id, { until: now + windowMs, suppressed: 0 });
    const attempts = 1 + (open?.suppressed ?? 0);
    deps.log.warn(
      { caseId: c.id, verb, approverId: person.id, attempts },
      'card action refused: not where the case card lives',
    );
    if (!CASE_VERBS.has(verb)) return;
    await deps.store.appendDecisionLog({
      caseId: c.id,
      verb: verb as CaseVerb,
      approverId: person.id,
      approverName: person.name,
      at: new Date(now).toISOString(),
      reason: null,
      caseVersion: c.version,
      graphRequestId: null,
      result: 'refused',
      detail: `clicked outside the conversation the card was posted to (${attempts} ${attempts === 1 ? 'attempt' : 'attempts'} since this person's last such record)`,
    });
  };
}
