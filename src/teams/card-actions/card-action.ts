import type { Case } from '../../core/case.js';
import type { Person } from '../../workflows/ports/index.js';
import type { TimeFormat } from '../teams-time.js';

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
  /** Written for where it is shown: card text or a chat reply. */
  notice: (time: TimeFormat) => string;
}

/** One Action.Execute verb on the case card. */
export interface CardAction {
  verb: string;
  handle(input: CardActionInput): Promise<CardActionResult>;
}
