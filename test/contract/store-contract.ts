import type { SqlDriver } from '../../src/store/sql-driver';
import { createSqlStore } from '../../src/store/sql-store';
import type { GroupSyncCommit, NewCase, Store } from '../../src/workflows/ports';

const profile = {
  id: 'g1',
  displayName: 'Tier 0 Admins',
  isAssignableToRole: true,
  isDynamic: false,
  isOnPremisesSynced: false,
  isMailEnabled: false,
};

const removal = (memberId: string): NewCase => ({
  groupId: 'g1',
  groupName: 'Tier 0 Admins',
  memberId,
  memberName: memberId.toUpperCase(),
  removedAt: '2026-11-25T10:00:00.000Z',
  foundBy: 'notification',
  restoreBlockedReason: null,
});

const baseline = (members: string[]): GroupSyncCommit => ({
  groupId: 'g1',
  expectedDeltaLink: null,
  newDeltaLink: 'link-1',
  profile,
  added: members,
  removed: [],
  cases: [],
});

/** Every Store behaviour, run against each driver (embedded PGlite, PostgreSQL). */
export function describeStoreContract(name: string, makeDriver: () => Promise<SqlDriver>): void {
  describe(`Store contract: ${name}`, () => {
    let store: Store;

    beforeEach(async () => {
      store = await createSqlStore(await makeDriver());
    });
    afterEach(async () => {
      await store?.close();
    });

    it('lets one holder at a time take a named lock', async () => {
      let inside = 0;
      let most = 0;
      const hold = () =>
        store.withLock('group:g1', true, async () => {
          most = Math.max(most, ++inside);
          await new Promise((r) => setTimeout(r, 20));
          inside--;
        });
      const contended = store.withLock('group:g1', true, async () => {
        expect(await store.withLock('group:g1', false, async () => 'second')).toEqual({
          locked: false,
        });
        expect(await store.withLock('group:g2', false, async () => 'other')).toEqual({
          locked: true,
          value: 'other',
        });
      });
      await Promise.all([contended, hold(), hold()]);
      expect(most).toBe(1);
    });

    it('keeps one alert channel, replaced on rebind', async () => {
      expect(await store.getAlertChannel()).toBeNull();
      const channel = { serviceUrl: 'http://c/', tenantId: 't', teamId: 'team', channelId: 'ch1' };
      await store.setAlertChannel(channel);
      await store.setAlertChannel({ ...channel, channelId: 'ch2' });
      expect(await store.getAlertChannel()).toEqual({ ...channel, channelId: 'ch2' });
    });

    it('keeps the subscription with its clientState', async () => {
      const sub = {
        id: 's1',
        clientState: 'secret',
        resource: 'groups',
        expiresAt: '2026-12-01T00:00:00.000Z',
      };
      await store.saveSubscription(sub);
      expect(await store.getSubscription()).toEqual(sub);
    });

    it('leases inbox items so a second claim does not see them, and deletes them when done', async () => {
      expect(
        await store.enqueueInbox([
          { subscriptionId: 's1', groupId: 'g1' },
          { subscriptionId: 's1', groupId: 'g2' },
        ]),
      ).toBe(2);
      const first = await store.claimInbox(10, 60_000);
      expect(first.map((i) => i.groupId).sort()).toEqual(['g1', 'g2']);
      expect(await store.claimInbox(10, 60_000)).toEqual([]);
      await store.deleteInbox(first.map((i) => i.id));
      expect(await store.claimInbox(10, 0)).toEqual([]);
    });

    it('releases claimed inbox items for a later retry', async () => {
      await store.enqueueInbox([{ subscriptionId: 's1', groupId: 'g1' }]);
      const [item] = await store.claimInbox(10, 60_000);
      await store.releaseInbox([item?.id ?? 0], 60_000);
      expect(await store.claimInbox(10, 60_000)).toEqual([]);
      await store.releaseInbox([item?.id ?? 0], 0);
      await new Promise((r) => setTimeout(r, 5));
      expect((await store.claimInbox(10, 60_000)).map((i) => i.id)).toEqual([item?.id]);
    });

    it('gives expired inbox leases back', async () => {
      await store.enqueueInbox([{ subscriptionId: 's1', groupId: 'g1' }]);
      expect(await store.claimInbox(10, 1)).toHaveLength(1);
      await new Promise((r) => setTimeout(r, 20));
      expect(await store.claimInbox(10, 60_000)).toHaveLength(1);
    });

    it('takes a baseline snapshot without opening cases', async () => {
      expect(await store.commitGroupSync(baseline(['alex', 'adele']))).toEqual([]);
      const watched = await store.getWatchedGroup('g1');
      expect(watched?.deltaLink).toBe('link-1');
      expect([...(watched?.members ?? [])].sort()).toEqual(['adele', 'alex']);
    });

    it('commits snapshot, case, outbox entry and delta link together', async () => {
      await store.commitGroupSync(baseline(['alex', 'adele']));
      const opened = await store.commitGroupSync({
        ...baseline([]),
        expectedDeltaLink: 'link-1',
        newDeltaLink: 'link-2',
        removed: ['adele'],
        cases: [removal('adele')],
      });
      expect(opened).toHaveLength(1);
      const c = opened?.[0];
      expect(c).toMatchObject({
        memberId: 'adele',
        status: 'open',
        version: 1,
        card: null,
        decision: null,
      });
      expect(await store.getCase(c?.id ?? 0)).toEqual(c);
      const watched = await store.getWatchedGroup('g1');
      expect([...(watched?.members ?? [])]).toEqual(['alex']);
      expect(watched?.deltaLink).toBe('link-2');
      expect(await store.claimOutbox(10, 60_000)).toEqual([{ caseId: c?.id, attempts: 1 }]);
    });

    it('writes nothing when another worker moved the delta link first', async () => {
      await store.commitGroupSync(baseline(['alex', 'adele']));
      const stale = await store.commitGroupSync({
        ...baseline([]),
        expectedDeltaLink: 'link-0',
        newDeltaLink: 'link-9',
        removed: ['adele'],
        cases: [removal('adele')],
      });
      expect(stale).toBeNull();
      expect(await store.listCases({ limit: 10 })).toEqual([]);
      expect((await store.getWatchedGroup('g1'))?.deltaLink).toBe('link-1');
      expect(await store.claimOutbox(10, 60_000)).toEqual([]);
    });

    it('updates a case only from the version the caller saw', async () => {
      await store.commitGroupSync(baseline(['adele']));
      const [c] =
        (await store.commitGroupSync({
          ...baseline([]),
          expectedDeltaLink: 'link-1',
          newDeltaLink: 'link-2',
          removed: ['adele'],
          cases: [removal('adele')],
        })) ?? [];
      if (!c) throw new Error('no case');
      const decision = {
        verb: 'approve' as const,
        by: { id: 'alex', name: 'Alex' },
        at: '2026-11-25T10:05:00.000Z',
      };
      const updated = await store.updateCase(c.id, 1, {
        status: 'approved',
        decision,
        lastError: null,
      });
      expect(updated).toMatchObject({ status: 'approved', version: 2, decision });
      expect(
        await store.updateCase(c.id, 1, { status: 'restored', decision, lastError: null }),
      ).toBeNull();
      expect((await store.getCase(c.id))?.status).toBe('approved');
    });

    it('records the posted card once and keeps a newer version pending', async () => {
      await store.commitGroupSync(baseline(['adele']));
      const [c] =
        (await store.commitGroupSync({
          ...baseline([]),
          expectedDeltaLink: 'link-1',
          newDeltaLink: 'link-2',
          removed: ['adele'],
          cases: [removal('adele')],
        })) ?? [];
      if (!c) throw new Error('no case');
      await store.claimOutbox(10, 60_000);
      await store.updateCase(c.id, 1, { status: 'approved', decision: null, lastError: null });
      const card = { serviceUrl: 'http://c/', conversationId: 'ch;messageid=1', activityId: '1' };
      await store.completeCardSync(c.id, 1, card);
      expect((await store.getCase(c.id))?.card).toEqual(card);
      expect(await store.claimOutbox(10, 60_000)).toEqual([{ caseId: c.id, attempts: 1 }]);
      await store.completeCardSync(c.id, 2, null);
      expect(await store.claimOutbox(10, 0)).toEqual([]);
    });

    it('delays a failed card delivery', async () => {
      await store.commitGroupSync(baseline(['adele']));
      const [c] =
        (await store.commitGroupSync({
          ...baseline([]),
          expectedDeltaLink: 'link-1',
          newDeltaLink: 'link-2',
          removed: ['adele'],
          cases: [removal('adele')],
        })) ?? [];
      await store.claimOutbox(10, 0);
      await store.retryOutbox(c?.id ?? 0, 60_000, 'connector said 429');
      expect(await store.claimOutbox(10, 60_000)).toEqual([]);
    });
  });
}
