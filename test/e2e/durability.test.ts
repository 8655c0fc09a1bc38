import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simulatorConnection, startGraphSimulator } from '../../src/sim/graph-simulator';
import { SEED } from '../../src/sim/seed-tenant';
import { lifecycleNotification, postNotifications } from '../fakes/graph-notifications';
import type { Clock } from '../../src/workflows/ports';
import { claimRestore } from '../../src/workflows/settle-restore';
import {
  eventually,
  installInTeam,
  startGroupGuard,
  teamsUser,
  type GroupGuardUnderTest,
} from './start-groupguard';

const alex = teamsUser('Alex Wilber', SEED.users.alex);
const { finance, mfaRequired } = SEED.groups;

const casesFor = async (gg: GroupGuardUnderTest, memberId: string) =>
  (await gg.app.store.listCases({ limit: 500 })).filter((c) => c.memberId === memberId);

describe('sweeps find what notifications miss', () => {
  let gg: GroupGuardUnderTest;

  beforeAll(async () => {
    gg = await startGroupGuard({ SWEEP_INTERVAL_MS: '300' });
    await installInTeam(gg, alex);
  });
  afterAll(async () => {
    await gg?.stop();
  });

  it('opens a case marked "found by sweep" when the notification was dropped', async () => {
    gg.sim.setFaults({ dropNotifications: 1 });
    gg.sim.directory.removeMember(finance, SEED.users.lee, SEED.users.diego);
    const [found] = await eventually(async () => {
      const cases = await casesFor(gg, SEED.users.lee);
      return cases.length > 0 ? cases : null;
    }, 'a case from the sweep');
    expect(found).toMatchObject({ groupId: finance, foundBy: 'sweep', status: 'open' });
    await eventually(
      async () => gg.connector.posts().find((p) => JSON.stringify(p.card).includes('Lee Gu')),
      'its card',
    );
    gg.sim.setFaults({ dropNotifications: 0 });
  });

  it.each(['gone410', 'syncStateNotFound', 'resyncRequired'] as const)(
    'resyncs after an expired delta token (%s) and opens cases only for real removals',
    async (kind) => {
      const before = (await gg.app.store.listCases({ limit: 500 })).length;
      const member = {
        gone410: SEED.users.miriam,
        syncStateNotFound: SEED.users.nestor,
        resyncRequired: SEED.users.grady,
      }[kind];
      gg.sim.setFaults({ dropNotifications: 1 });
      gg.sim.expireDeltaTokens(kind);
      gg.sim.directory.removeMember(mfaRequired, member, SEED.users.diego);
      await eventually(
        async () => (await casesFor(gg, member)).length === 1,
        'the one real removal',
      );
      await new Promise((r) => setTimeout(r, 700));
      const after = await gg.app.store.listCases({ limit: 500 });
      expect(after.length).toBe(before + 1);
      expect((await casesFor(gg, member))[0]?.foundBy).toBe('sweep');
      gg.sim.setFaults({ dropNotifications: 0 });
    },
  );
});

describe('subscription lifecycle', () => {
  let gg: GroupGuardUnderTest;
  let offsetMs = 0;
  const clock: Clock = { now: () => new Date(Date.now() + offsetMs) };

  beforeAll(async () => {
    gg = await startGroupGuard(
      { SUBSCRIPTION_CHECK_INTERVAL_MS: '100', SWEEP_INTERVAL_MS: '600000' },
      { clock },
    );
    await installInTeam(gg, alex);
  });
  afterAll(async () => {
    await gg?.stop();
  });

  const graphSide = async () => {
    const stored = await gg.app.store.getSubscription();
    return gg.sim.directory.subscriptions().find((s) => s.id === stored?.id);
  };

  it('created the subscription at start with a secret clientState Graph knows', async () => {
    const stored = await gg.app.store.getSubscription();
    const remote = await graphSide();
    expect(remote?.clientState).toBe(stored?.clientState);
    expect(stored?.clientState.length).toBeGreaterThanOrEqual(32);
    expect(remote?.notificationUrl).toMatch(/\/api\/graph\/notifications$/);
    expect(remote?.lifecycleNotificationUrl).toMatch(/\/api\/graph\/lifecycle$/);
    expect((await fetch(`${gg.url}/readyz`)).status).toBe(200);
  });

  it('renews well before expiry', async () => {
    const before = (await graphSide())?.expirationDateTime ?? '';
    offsetMs = 3 * 24 * 60 * 60_000 - 60 * 60_000;
    await eventually(
      async () => (await graphSide())?.expirationDateTime !== before && (await graphSide()),
      'a renewal',
    );
    expect(Date.parse((await graphSide())?.expirationDateTime ?? '')).toBeGreaterThan(
      Date.parse(before),
    );
    offsetMs = 0;
  });

  it('reauthorizes on reauthorizationRequired, then sweeps', async () => {
    const stored = await gg.app.store.getSubscription();
    gg.sim.setFaults({ dropNotifications: 1 });
    gg.sim.directory.removeMember(finance, SEED.users.isaiah, SEED.users.diego);
    await gg.sim.sendLifecycleEvent(stored?.id ?? '', 'reauthorizationRequired');
    await eventually(
      async () => (await casesFor(gg, SEED.users.isaiah)).length === 1,
      'the case found by the sweep',
    );
    expect((await gg.app.store.getSubscription())?.id).toBe(stored?.id);
    gg.sim.setFaults({ dropNotifications: 0 });
  });

  it('creates a new subscription when Graph dropped ours, then sweeps', async () => {
    const old = await gg.app.store.getSubscription();
    gg.sim.dropSubscription(old?.id ?? '');
    gg.sim.directory.removeMember(finance, SEED.users.patti, SEED.users.diego);
    offsetMs = 3 * 24 * 60 * 60_000 - 60 * 60_000;
    const fresh = await eventually(async () => {
      const now = await gg.app.store.getSubscription();
      return now && now.id !== old?.id ? now : null;
    }, 'a new subscription');
    offsetMs = 0;
    expect(fresh.clientState).not.toBe(old?.clientState);
    expect(gg.sim.directory.subscriptions().map((s) => s.id)).toContain(fresh.id);
    await eventually(
      async () => (await casesFor(gg, SEED.users.patti)).length === 1,
      'the case found by the sweep',
    );
  });

  it('acknowledges a lifecycle event with a wrong clientState as it would an unknown one, and does nothing', async () => {
    const stored = await gg.app.store.getSubscription();
    const response = await postNotifications(`${gg.url}/api/graph/lifecycle`, [
      lifecycleNotification({ subscriptionId: stored?.id ?? '', clientState: 'forged' }),
    ]);
    expect(response.status).toBe(202);
    expect((await gg.app.store.getSubscription())?.expiresAt).toBe(stored?.expiresAt);
  });
});

describe('a restore cut off by a crash', () => {
  let gg: GroupGuardUnderTest;
  let offsetMs = 0;
  const clock: Clock = { now: () => new Date(Date.now() + offsetMs) };

  beforeAll(async () => {
    gg = await startGroupGuard({ SWEEP_INTERVAL_MS: '200' }, { clock });
    await installInTeam(gg, alex);
  });
  afterAll(async () => {
    await gg?.stop();
  });

  it('is finished by a later sweep: the member is back and the case says who restored', async () => {
    gg.sim.directory.removeMember(finance, SEED.users.lee, SEED.users.diego);
    const [opened] = await eventually(async () => {
      const cases = await casesFor(gg, SEED.users.lee);
      return cases.length > 0 ? cases : null;
    }, 'the case');
    if (!opened) throw new Error('no case');
    // The state a crash between the claim and Graph's answer leaves behind.
    const by = { id: SEED.users.alex, name: 'Alex Wilber' };
    const claimed = await claimRestore(
      {
        store: gg.app.store,
        remediation: { addGroupMember: () => Promise.reject(new Error('not called')) },
        log: gg.app.log,
        clock,
        onCaseChanged: () => undefined,
      },
      opened,
      { verb: 'restore', by, reason: null },
    );
    expect(claimed?.case.status).toBe('restoring');
    await new Promise((r) => setTimeout(r, 600));
    expect((await gg.app.store.getCase(opened.id))?.status).toBe('restoring');

    offsetMs = 20 * 60_000;
    await eventually(
      async () => (await gg.app.store.getCase(opened.id))?.status === 'restored',
      'the restore to finish',
    );
    expect(gg.sim.directory.isMember(finance, SEED.users.lee)).toBe(true);
    expect((await gg.app.store.getCase(opened.id))?.decision?.by).toEqual(by);
    offsetMs = 0;
  });
});

describe('a restart on the same store', () => {
  it('reuses nothing stale: a new notification URL replaces the subscription at Graph', async () => {
    const sim = await startGraphSimulator();
    const work = mkdtempSync(join(tmpdir(), 'groupguard-restart-'));
    const env = {
      DATA_DIR: join(work, 'data'),
      GRAPH_SIMULATOR_CONNECTION_FILE: join(work, 'sim.json'),
    };
    writeFileSync(env.GRAPH_SIMULATOR_CONNECTION_FILE, JSON.stringify(simulatorConnection(sim)));
    try {
      const first = await startGroupGuard(env, {}, sim);
      const before = await first.app.store.getSubscription();
      await first.stop();

      const second = await startGroupGuard(env, {}, sim);
      const after = await second.app.store.getSubscription();
      const atGraph = sim.directory.subscriptions();
      expect(after?.id).not.toBe(before?.id);
      expect(atGraph.map((s) => s.id)).toEqual([after?.id]);
      expect(atGraph[0]?.notificationUrl).toBe(`${second.url}/api/graph/notifications`);

      sim.directory.removeMember(finance, SEED.users.lynne, SEED.users.diego);
      await eventually(
        async () => (await casesFor(second, SEED.users.lynne)).length === 1,
        'a case after the restart',
      );
      await second.stop();
    } finally {
      await sim.stop();
      rmSync(work, { recursive: true, force: true });
    }
  });
});
