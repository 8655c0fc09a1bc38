import type { DecideDeps } from '../../workflows/decide-case.js';
import { approve } from './approve.js';
import type { CardAction } from './card-action.js';
import { restore } from './restore.js';

export function cardActions(deps: DecideDeps): ReadonlyMap<string, CardAction> {
  return new Map([approve(deps), restore(deps)].map((action) => [action.verb, action]));
}
