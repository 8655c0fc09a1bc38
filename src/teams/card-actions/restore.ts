import { decideCase, type DecideDeps } from '../../workflows/decide-case.js';
import type { CardAction } from './card-action.js';

export const restore = (deps: DecideDeps): CardAction => ({
  verb: 'restore',
  handle: (input) => decideCase(deps, { ...input, verb: 'restore' }),
});
