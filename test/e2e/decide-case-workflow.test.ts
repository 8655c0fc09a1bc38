import { clientCredentialsToken } from '../../src/graph/client-credentials-token';
import { createGraphClient, createTrustingDispatcher } from '../../src/graph/create-graph-client';
import { createGraphDirectory } from '../../src/graph/graph-directory';
import {
  simulatorConnection,
  startGraphSimulator,
  type GraphSimulator,
} from '../../src/sim/graph-simulator';
import { SEED } from '../../src/sim/seed-tenant';
import { createPgliteDriver } from '../../src/store/pglite-driver';
import { createSqlStore } from '../../src/store/sql-store';
import { createBackgroundTasks } from '../../src/workflows/background-tasks';
import { createActorResolver } from '../../src/workflows/create-actor-resolver';
import { createApproverPolicy } from '../../src/workflows/create-approver-policy';
import { createPrivilegePolicy } from '../../src/workflows/create-privilege-policy';
import { decideCase, type DecideDeps } from '../../src/workflows/decide-case';
import type { Case, Clock, Directory, Log, Store } from '../../src/workflows/ports';

const u = SEED.users;
const g = SEED.groups;
const alex = { id: u.alex, name: 'Alex Wilber' };
const megan = { id: u.megan, name: 'Megan Bowen' };
const quiet: Log = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

/**
 * decideCase against the Graph simulator over HTTPS and an embedded store, with cases set up
 * the way a missed audit lookup at open time leaves them (actor unknown).
 */
describe('decideCase with the real directory and store', () => {
  let sim: GraphSimulator;
  let directory: Directory;
  let store: Store;
  let offsetMs = 0;
  const clock: Clock = { now: () => new Date(Date.now() + offsetMs) };

  beforeAll(async () => {
    sim = await startGraphSimulator();
    const c = simulatorConnection(sim);
    directory = createGraphDirectory(
      createGraphClient(
        clientCredentialsToken({
          tokenUrl: c.tokenUrl,
          clientId: c.clientId,
          clientSecret: c.clientSecret,
          dispatcher: createTrustingDispatcher(c.ca),
        }),
        { baseUrl: c.url, ca: c.ca },
      ),
    );
  });
  afterAll(async () => {
    await sim?.stop();
  });
  beforeEach(async () => {
    store = await createSqlStore(await createPgliteDriver(null));
    offsetMs = 0;
  });
  afterEach(async () => {
    await store.close();
  });

  const depsWith = (approverGroupId: string | null): DecideDeps => {
    const base = { store, directory, remediation: directory, log: quiet, clock };
    return {
      ...base,
      approvers: createApproverPolicy(base, { groupId: approverGroupId }),
      privilege: createPrivilegePolicy(base, new Set()),
      restoreRequestTtlMs: 24 * 3_600_000,
      staleCaseAgeMs: 7 * 86_400_000,
      resolveActor: createActorResolver({ ...base, onCaseChanged: () => undefined }),
      onCaseChanged: () => undefined,
      answerWithinMs: 2_000,
      tasks: createBackgroundTasks(quiet),
    };
  };

  /** A case for a removal from Finance Team whose actor the open-time lookup did not get. */
  const caseWithoutActor = async (memberId: string): Promise<Case> => {
    const profile = await directory.getGroupProfile(g.finance);
    const watched = await store.getWatchedGroup(g.finance);
    const [opened] =
      (await store.commitGroupSync({
        groupId: g.finance,
        expectedDeltaLink: watched?.deltaLink ?? null,
        newDeltaLink: `link-${memberId}`,
        profile,
        added: [],
        removed: [],
        cases: [
          {
            groupId: g.finance,
            groupName: 'Finance Team',
            memberId,
            memberName: (await directory.getDisplayName(memberId)) ?? memberId,
            removedAt: new Date().toISOString(),
            foundBy: 'notification',
            restoreBlockedReason: null,
            groupIsRoleAssignable: false,
            memberSeenAt: null,
            actor: null,
          },
        ],
      })) ?? [];
    if (!opened) throw new Error('no case opened');
    return opened;
  };

  it('looks the actor up at click time and then applies the self-approval rule', async () => {
    sim.directory.removeMember(g.finance, u.lynne, u.alex);
    const c = await caseWithoutActor(u.lynne);
    const deps = depsWith(g.secOpsApprovers);

    const own = await decideCase(deps, {
      caseId: c.id,
      version: 1,
      verb: 'approve',
      approver: alex,
      reason: null,
    });
    expect(own).toMatchObject({
      kind: 'refused',
      reason: 'You removed Lynne Robbins yourself, so another approver must approve the removal.',
      case: { actor: { kind: 'user', id: u.alex, name: 'Alex Wilber' }, version: 2 },
    });

    const other = await decideCase(deps, {
      caseId: c.id,
      version: 2,
      verb: 'approve',
      approver: megan,
      reason: null,
    });
    expect(other).toMatchObject({ kind: 'decided', case: { status: 'approved', version: 3 } });
  });

  it('keeps Approve closed while the audit log does not name the actor, and Restore open', async () => {
    // Nobody removed Lee in the directory, so no audit record will ever name an actor.
    const c = await caseWithoutActor(u.lee);
    const deps = depsWith(g.secOpsApprovers);
    const approve = await decideCase(deps, {
      caseId: c.id,
      version: 1,
      verb: 'approve',
      approver: megan,
      reason: null,
    });
    expect(approve).toMatchObject({
      kind: 'refused',
      reason: expect.stringContaining('Waiting for the audit log to say who removed Lee Gu'),
      case: { status: 'open', actor: null, version: 1 },
    });
    const restore = await decideCase(deps, {
      caseId: c.id,
      version: 1,
      verb: 'restore',
      approver: megan,
      reason: null,
    });
    expect(restore).toMatchObject({ kind: 'decided', case: { status: 'restored' } });
    const log = await store.readDecisionLog(0, 10);
    expect(log.map((r) => [r.result, r.approverName])).toEqual([
      ['refused', 'Megan Bowen'],
      ['restore-claimed', 'Megan Bowen'],
      ['restored', 'Megan Bowen'],
    ]);
  });

  it('refuses every click and changes nothing when no approver group is configured', async () => {
    sim.directory.removeMember(g.finance, u.isaiah, u.diego);
    const c = await caseWithoutActor(u.isaiah);
    const outcome = await decideCase(depsWith(null), {
      caseId: c.id,
      version: 1,
      verb: 'restore',
      approver: alex,
      reason: null,
    });
    expect(outcome).toMatchObject({
      kind: 'refused',
      reason:
        'Decisions are disabled: no approver group is configured (set APPROVER_GROUP_ID). Nothing was changed.',
    });
    expect(sim.directory.isMember(g.finance, u.isaiah)).toBe(false);
    expect((await store.getCase(c.id))?.version).toBe(1);
  });

  it('believes a yes for a minute and a no for seconds', async () => {
    const policy = createApproverPolicy(
      { store, directory, log: quiet, clock },
      { groupId: g.secOpsApprovers },
    );
    expect(await policy.isApprover(u.johanna)).toBe(false);
    sim.directory.addMember(g.secOpsApprovers, u.johanna, u.diego);
    expect(await policy.isApprover(u.johanna)).toBe(false);
    offsetMs = 6_000;
    expect(await policy.isApprover(u.johanna)).toBe(true);

    sim.directory.removeMember(g.secOpsApprovers, u.johanna, u.diego);
    offsetMs = 30_000;
    expect(await policy.isApprover(u.johanna)).toBe(true);
    offsetMs = 67_000;
    expect(await policy.isApprover(u.johanna)).toBe(false);
    expect(await policy.isApprover('not-a-guid')).toBe(false);
    expect(await policy.groupName()).toBe('SecOps Approvers');
  });

  it('refuses, and logs, when Graph cannot say whether the clicker is an approver', async () => {
    sim.directory.removeMember(g.finance, u.patti, u.diego);
    const c = await caseWithoutActor(u.patti);
    sim.setFaults({ unavailable503: 1 });
    try {
      const outcome = await decideCase(depsWith(g.secOpsApprovers), {
        caseId: c.id,
        version: 1,
        verb: 'restore',
        approver: alex,
        reason: null,
      });
      expect(outcome).toMatchObject({
        kind: 'refused',
        reason: expect.stringContaining(
          'could not confirm with Microsoft Graph that you are an approver',
        ),
      });
    } finally {
      sim.setFaults({ unavailable503: 0 });
    }
    expect(sim.directory.isMember(g.finance, u.patti)).toBe(false);
    expect((await store.readDecisionLog(0, 10)).at(-1)).toMatchObject({ result: 'refused' });
  }, 20_000);
});
