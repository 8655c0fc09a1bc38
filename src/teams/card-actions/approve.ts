import { decideCase, type DecideDeps } from '../../workflows/decide-case.js';
import type { CardAction } from './card-action.js';

export const approve = (deps: DecideDeps): CardAction => ({
  verb: 'approve',
  handle: (input) => decideCase(deps, { ...input, verb: 'approve' }),
});
