import type { DecisionOutcome } from '../../workflows/decide-case.js';
import type { Person } from '../../workflows/ports.js';

export interface CardActionInput {
  caseId: number;
  version: number;
  approver: Person;
}

/** One Action.Execute verb on the case card. */
export interface CardAction {
  verb: string;
  handle(input: CardActionInput): Promise<DecisionOutcome>;
}
