import type { DecideDeps } from '../../workflows/decide-case.js';
import { approve } from './approve.js';
import { cancelRestore } from './cancel-restore.js';
import type { CardAction } from './card-action.js';
import { confirmRestore } from './confirm-restore.js';
import { refresh } from './refresh.js';
import { restore } from './restore.js';

export function cardActions(deps: DecideDeps): ReadonlyMap<string, CardAction> {
  return new Map(
    [approve, restore, confirmRestore, cancelRestore, refresh].map((make) => {
      const action = make(deps);
      return [action.verb, action];
    }),
  );
}
