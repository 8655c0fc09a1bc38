import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  simulatorConnection,
  startGraphSimulator,
  type GraphSimulatorOptions,
} from '../../src/sim/graph-simulator';
import { inertText } from '../../src/core/inert-text';
import { SEED } from '../../src/sim/seed-tenant';
import type { Clock } from '../../src/workflows/ports';
import { freeLoopbackPort } from '../browser/free-port';
import { buttonsOf, casePost, click, textOf } from './case-cards';
import {
  eventually,
  installInTeam,
  startGroupGuard,
  teamsUser,
  type GroupGuardUnderTest,
} from './start-groupguard';

const alex = teamsUser('Alex Wilber', SEED.users.alex);
const ALERT_CHANNEL = '19:team-general@thread.tacv2';

interface ReadyBody {
  ready: boolean;
  checks: Record<string, string>;
  groupsBackingOff: Array<{
    groupId: string;
    reason: string;
    failures: number;
    nextTryAt: string;
  }>;
  cardsStopped: Array<{ caseId: number; reason: string }>;
}

async function readyz(gg: GroupGuardUnderTest): Promise<{ status: number; body: ReadyBody }> {
  const response = await fetch(`${gg.url}/readyz`);
  return { status: response.status, body: (await response.json()) as ReadyBody };
}

/** A simulator the test owns, shared by GroupGuard processes through a connection file. */
async function externalSimulator(options: GraphSimulatorOptions = {}) {
  const sim = await startGraphSimulator(options);
  const dir = mkdtempSync(join(tmpdir(), 'gg-housekeeping-'));
  const file = join(dir, 'graph-simulator.json');
  writeFileSync(file, JSON.stringify(simulatorConnection(sim)), { mode: 0o600 });
  return {
    sim,
    env: { GRAPH_SIMULATOR_CONNECTION_FILE: file },
    stop: async () => {
      await sim.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

describe('Graph housekeeping (issue 7, item 5)', () => {
  // Graph: "List subscriptions" (learn.microsoft.com/graph/api/subscription-list) returns, with
  // application permissions, the subscriptions the app created; group subscriptions are capped
  // at 100 per app and tenant (change-notifications-overview, reference/graph.md §1).
  describe('5a: subscriptions the store does not know', () => {
    let graph: Awaited<ReturnType<typeof externalSimulator>>;
    const running: GroupGuardUnderTest[] = [];

    beforeAll(async () => {
      graph = await externalSimulator();
    });
    afterAll(async () => {
      for (const gg of running) await gg.stop();
      await graph?.stop();
    });

    const start = async (port: number) => {
      const gg = await startGroupGuard({ ...graph.env, PORT: String(port) }, {}, graph.sim);
      running.push(gg);
      return gg;
    };
    const stop = async (gg: GroupGuardUnderTest) => {
      running.splice(running.indexOf(gg), 1);
      await gg.stop();
    };
    const stored = async (gg: GroupGuardUnderTest) =>
      (await gg.app.store.getSubscription())?.id ?? 'none';

    it('deletes at start the ones this app holds for its notification URL, and only those', async () => {
      const port = await freeLoopbackPort();
      // A run on this URL whose store was then lost (DATA_DIR :memory:) leaves its subscription.
      const first = await start(port);
      const lost = await stored(first);
      await stop(first);
      // Another deployment of the same app on another URL keeps its own.
      const neighbour = await start(await freeLoopbackPort());
      const theirs = await stored(neighbour);
      const listed = () => graph.sim.directory.subscriptions().map((s) => s.id);
      expect(listed()).toEqual(expect.arrayContaining([lost, theirs]));

      const gg = await start(port);
      const ours = await stored(gg);
      expect(listed().sort()).toEqual([ours, theirs].sort());
      expect(ours).not.toBe(lost);
      expect((await readyz(gg)).body.checks.subscription).toBe('ok');
      // Three GroupGuard starts (each opens an embedded store) on a loaded machine.
    }, 180_000);
  });

  // Graph's 403 for a missing application permission: {"error":{"code":
  // "Authorization_RequestDenied","message":"Insufficient privileges to complete the
  // operation."}}. "Get directoryObject" needs Directory.Read.All; "List directoryAudits" needs
  // AuditLog.Read.All and Directory.Read.All (learn.microsoft.com/graph/api/directoryaudit-list).
  describe('5b: a 403 on a name or audit lookup', () => {
    let graph: Awaited<ReturnType<typeof externalSimulator>>;
    let gg: GroupGuardUnderTest;

    beforeAll(async () => {
      graph = await externalSimulator({
        appPermissions: ['Group.Read.All', 'GroupMember.ReadWrite.All'],
      });
      gg = await startGroupGuard(graph.env, {}, graph.sim);
      await installInTeam(gg, alex);
    });
    afterAll(async () => {
      await gg?.stop();
      await graph?.stop();
    });

    it('degrades the name and the actor on the card instead of failing the sync', async () => {
      gg.sim.directory.removeMember(SEED.groups.finance, SEED.users.johanna, SEED.users.diego);
      // Names reach the card through inertText, which defangs host-like dots.
      const post = await casePost(
        gg,
        inertText('name unavailable — Directory.Read.All missing?'),
        'Finance Team',
      );
      expect(textOf(post.card)).toContain('actor unknown — AuditLog.Read.All missing?');
      const [c] = await gg.app.store.listCases({ limit: 10 });
      expect(c).toMatchObject({
        groupId: SEED.groups.finance,
        memberId: SEED.users.johanna,
        status: 'open',
        actor: null,
      });
      // Restore still works: it needs only GroupMember.ReadWrite.All.
      const restore = buttonsOf(post.card).find((b) => b.verb === 'restore');
      const answer = await click(gg, post, alex, 'restore', restore?.data ?? {});
      expect(answer.text).toContain('Restored by Alex Wilber');
      expect(gg.sim.directory.isMember(SEED.groups.finance, SEED.users.johanna)).toBe(true);
    });
  });

  describe('5c: a watched group that keeps failing', () => {
    let gg: GroupGuardUnderTest;
    let offsetMs = 0;
    const clock: Clock = { now: () => new Date(Date.now() + offsetMs) };
    const gone = SEED.groups.projectFalcon;
    const healthy = SEED.groups.finance;

    beforeAll(async () => {
      gg = await startGroupGuard({ SWEEP_INTERVAL_MS: '100' }, { clock });
    });
    afterAll(async () => {
      await gg?.stop();
    });

    it('backs off instead of asking Graph every sweep, and /readyz says which group, why and when next', async () => {
      gg.sim.directory.deleteGroup(gone);
      const first = await eventually(async () => {
        const { body } = await readyz(gg);
        return body.groupsBackingOff.find((g) => g.groupId === gone);
      }, 'the deleted group to back off');
      expect(first).toMatchObject({ reason: 'deleted', failures: 1 });
      expect(Date.parse(first.nextTryAt)).toBeGreaterThan(clock.now().getTime());
      const asked = gg.sim.requestCount('GET', `groups/${gone}`);

      // Several more sweeps ask for the healthy group; the deleted one is left alone.
      const healthyBefore = gg.sim.requestCount('GET', `groups/${healthy}`);
      await eventually(
        async () => gg.sim.requestCount('GET', `groups/${healthy}`) >= healthyBefore + 3,
        'three more sweeps',
      );
      expect(gg.sim.requestCount('GET', `groups/${gone}`)).toBe(asked);
      const during = await readyz(gg);
      expect(during.status).toBe(200);
      expect(during.body.checks.watchedGroups).toContain(gone);
      expect(during.body.checks.watchedGroups).toContain('deleted');
      expect(during.body.groupsBackingOff).toEqual([
        expect.objectContaining({ groupId: gone, failures: 1, nextTryAt: first.nextTryAt }),
      ]);

      // Once the next try is due, the sweep asks again, fails again and waits longer.
      offsetMs = Date.parse(first.nextTryAt) - Date.now() + 1_000;
      const second = await eventually(async () => {
        const { body } = await readyz(gg);
        return body.groupsBackingOff.find((g) => g.groupId === gone && g.failures === 2);
      }, 'the second try');
      expect(gg.sim.requestCount('GET', `groups/${gone}`)).toBeGreaterThan(asked);
      expect(Date.parse(second.nextTryAt)).toBeGreaterThan(clock.now().getTime());
    });
  });

  // Teams answers 403 to a bot no longer installed where it posts ("Proactive messages",
  // learn.microsoft.com/microsoftteams/platform/bots/how-to/conversations/send-proactive-messages)
  // and 404 for a message that no longer exists.
  describe('5d: cards Teams refuses for good', () => {
    let gg: GroupGuardUnderTest;

    beforeAll(async () => {
      gg = await startGroupGuard();
      await installInTeam(gg, alex);
    });
    afterAll(async () => {
      await gg?.stop();
    });

    const refusals = (status: number, operation: string) =>
      gg.connector.requests.filter((r) => r.status === status && r.operation === operation).length;

    it('stops updating a card whose message was deleted (404) and records why', async () => {
      gg.sim.directory.removeMember(SEED.groups.mfaRequired, SEED.users.adele, SEED.users.diego);
      const post = await casePost(gg, 'Adele Vance', 'MFA Required');
      gg.connector.deleteMessage(post.activityId);
      const approve = buttonsOf(post.card).find((b) => b.verb === 'approve');
      await click(gg, post, alex, 'approve', approve?.data ?? {});

      const caseId = approve?.data.caseId;
      const stopped = await eventually(async () => {
        const { body } = await readyz(gg);
        return body.cardsStopped.find((s) => s.caseId === caseId);
      }, 'the card to be stopped');
      expect(stopped.reason).toMatch(/404.*deleted/);
      expect(await gg.app.store.listStoppedOutbox(10)).toEqual([
        expect.objectContaining({ caseId, reason: stopped.reason }),
      ]);
      expect(refusals(404, 'updateActivity')).toBe(1);

      // The outbox carries on with other cards and never asks Teams about this one again.
      gg.sim.directory.removeMember(SEED.groups.finance, SEED.users.lee, SEED.users.diego);
      await casePost(gg, 'Lee Gu', 'Finance Team');
      expect(refusals(404, 'updateActivity')).toBe(1);
      expect((await readyz(gg)).status).toBe(200);
    });

    it('marks the alert channel broken on 403, holds cards without asking Teams, and posts them when the bot is back', async () => {
      gg.connector.removeBotFromChannel(ALERT_CHANNEL);
      gg.sim.directory.removeMember(SEED.groups.finance, SEED.users.patti, SEED.users.diego);

      const broken = await eventually(async () => {
        const { body } = await readyz(gg);
        return /^broken/.test(body.checks.alertChannel ?? '') && body;
      }, 'the alert channel to be marked broken');
      expect(broken.checks.alertChannel).toMatch(/403/);
      expect(broken.ready).toBe(true);
      expect((await gg.app.store.getAlertChannel())?.broken?.reason).toMatch(/403/);
      expect(refusals(403, 'createConversation')).toBe(1);

      // Cases keep opening while the channel is broken; nothing is posted and Teams is not asked.
      gg.sim.directory.removeMember(SEED.groups.finance, SEED.users.isaiah, SEED.users.diego);
      await eventually(
        async () => (await gg.app.store.listCases({ limit: 50 })).length >= 4,
        'the second case while broken',
      );
      expect(refusals(403, 'createConversation')).toBe(1);

      // Installing the bot again binds the channel; the held cards go out.
      gg.connector.addBotToChannel(ALERT_CHANNEL);
      await installInTeam(gg, alex);
      await casePost(gg, 'Patti Fernandez', 'Finance Team');
      await casePost(gg, 'Isaiah Langer', 'Finance Team');
      expect((await readyz(gg)).body.checks.alertChannel).toBe('ok');
      expect(refusals(403, 'createConversation')).toBe(1);
    });
  });
});
