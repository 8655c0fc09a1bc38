import type { DecideDeps } from '../../workflows/decide-case.js';
import type { CardAction } from './card-action.js';
import { decisionAction } from './decision-action.js';

/** The requester withdraws a restore still waiting for a second approver. */
export const cancelRestore = (deps: DecideDeps): CardAction =>
  decisionAction('cancel-restore', deps);
