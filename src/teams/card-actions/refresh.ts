import { viewCase, type DecideDeps } from '../../workflows/decide-case.js';
import type { CardAction } from './card-action.js';

/** The card's `refresh`: this user's own view of the case; decides nothing. */
export const refresh = (deps: DecideDeps): CardAction => ({
  verb: 'refresh',
  async handle(input) {
    const view = await viewCase(deps, { caseId: input.caseId, viewer: input.approver });
    return { ...view, notice: () => '' };
  },
});
