import type { DecideDeps } from '../../workflows/decide-case.js';
import type { CardAction } from './card-action.js';
import { decisionAction } from './decision-action.js';

/** One click for an ordinary group; the first of two approvers for a privileged one. */
export const restore = (deps: DecideDeps): CardAction => decisionAction('restore', deps);
