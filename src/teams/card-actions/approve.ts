import type { DecideDeps } from '../../workflows/decide-case.js';
import type { CardAction } from './card-action.js';
import { decisionAction } from './decision-action.js';

export const approve = (deps: DecideDeps): CardAction => decisionAction('approve', deps);
