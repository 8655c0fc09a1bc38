import type { Case } from '../../core/case.js';
import type { Person } from '../../workflows/ports/index.js';

export interface CardActionInput {
  caseId: number;
  version: number;
  approver: Person;
  /** Cleaned free text from the card's `reason` input; null when none was typed. */
  reason: string | null;
}

/** What the clicker gets back: the case as they should see it, with a note for them alone. */
export interface CardActionResult {
  case: Case;
  isApprover: boolean | null;
  notice: string;
}

/** One Action.Execute verb on the case card. */
export interface CardAction {
  verb: string;
  handle(input: CardActionInput): Promise<CardActionResult>;
}
