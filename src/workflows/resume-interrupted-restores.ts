import type { Case } from '../core/case.js';
import type { PrivilegePolicy } from './create-privilege-policy.js';
import type { DecisionLog, DirectoryReads } from './ports/index.js';
import { loggedClaim, settleRestore, type RestoreDeps } from './settle-restore.js';

/**
 * A restore in flight longer than this was cut off by a crash or a lost connection: well past
 * what Graph's own retries (Retry-After up to minutes) can take for one call.
 */
export const INTERRUPTED_AFTER_MS = 15 * 60_000;

/** Who "decided" a refusal GroupGuard makes by itself. */
export const GROUPGUARD = { id: '00000000-0000-0000-0000-000000000000', name: 'GroupGuard' };

export type ResumeDeps = RestoreDeps & {
  store: RestoreDeps['store'] & DecisionLog;
  directory: Pick<DirectoryReads, 'getGroupProfile'>;
  privilege: PrivilegePolicy;
};

/**
 * Finishes restores a crash left in `restoring`: the claim committed but the outcome never did.
 * The claim is read from the decision log, not from the case row, and re-checked (four eyes
 * for a privileged group) before Graph is called: a row written behind GroupGuard's back adds
 * nobody. Such a case raises an alarm and is reopened for the approvers.
 */
export async function resumeInterruptedRestores(deps: ResumeDeps): Promise<number> {
  const now = deps.clock.now().getTime();
  let resumed = 0;
  for (const c of await deps.store.listCases({ status: 'restoring', limit: 50 })) {
    try {
      const found = loggedClaim(c, await deps.store.readCaseDecisions(c.id));
      if (!found.ok) {
        await refuseForgedRestore(deps, c, found.problem);
        continue;
      }
      if (now - Date.parse(found.at) <= INTERRUPTED_AFTER_MS) continue;
      if (found.claim.verb === 'restore') {
        // The row's flag is not evidence: Graph fixes isAssignableToRole when a group is created.
        const profile = await deps.directory.getGroupProfile(c.groupId);
        const privilege = await deps.privilege.privilegeOf({
          groupId: c.groupId,
          groupIsRoleAssignable: profile.isAssignableToRole,
        });
        if (privilege) {
          await refuseForgedRestore(deps, c, `a ${privilege} restored by one approver`);
          continue;
        }
      }
      await settleRestore(deps, found.claim, { resumed: true });
      resumed++;
    } catch (error) {
      deps.log.error(
        { err: error, caseId: c.id },
        'interrupted restore not resumed, next sweep retries',
      );
    }
  }
  return resumed;
}

async function refuseForgedRestore(deps: ResumeDeps, c: Case, problem: string): Promise<void> {
  deps.log.error(
    { alarm: 'restore-without-logged-decision', caseId: c.id, problem },
    'ALARM: a case is restoring without a matching decision in the log; Graph was not called',
  );
  const reopened = await deps.store.updateCase(c.id, c.version, {
    status: 'open',
    decision: null,
    restoreRequest: null,
    lastError: 'GroupGuard refused a restore its decision log does not hold; nothing was added.',
    log: {
      caseId: c.id,
      verb: 'restore',
      approverId: GROUPGUARD.id,
      approverName: GROUPGUARD.name,
      at: deps.clock.now().toISOString(),
      reason: null,
      caseVersion: c.version,
      graphRequestId: null,
      result: 'refused',
      detail: `restoring without its logged decision: ${problem}`,
    },
  });
  if (reopened) deps.onCaseChanged();
}
