import type { DecideDeps } from '../../workflows/decide-case.js';
import type { CardAction } from './card-action.js';
import { decisionAction } from './decision-action.js';

/** The second approver of a privileged restore; Graph is called only now. */
export const confirmRestore = (deps: DecideDeps): CardAction =>
  decisionAction('confirm-restore', deps);
