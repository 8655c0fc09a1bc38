import type { Case } from '../../src/core/case';
import type { SqlDriver } from '../../src/store/sql-driver';
import { createSqlStore } from '../../src/store/sql-store';
import { verifyDecisionLog } from '../../src/workflows/decision-log';
import type { DecisionLogEntry, GroupSyncCommit, NewCase, Store } from '../../src/workflows/ports';

const profile = {
  id: 'g1',
  displayName: 'Tier 0 Admins',
  isAssignableToRole: true,
  isDynamic: false,
  isOnPremisesSynced: false,
  isMailEnabled: false,
  isMicrosoft365: false,
};

const removal = (memberId: string): NewCase => ({
  groupId: 'g1',
  groupName: 'Tier 0 Admins',
  memberId,
  memberName: memberId.toUpperCase(),
  removedAt: '2026-11-25T10:00:00.000Z',
  foundBy: 'notification',
  restoreBlockedReason: null,
  groupIsRoleAssignable: true,
  memberSeenAt: null,
  actor: { kind: 'user', id: 'diego', name: 'Diego Siciliani' },
});

const logEntry = (caseId: number, overrides: Partial<DecisionLogEntry> = {}): DecisionLogEntry => ({
  caseId,
  verb: 'restore',
  approverId: 'alex',
  approverName: 'Alex Wilber',
  at: '2026-11-25T10:05:00.000Z',
  reason: 'on call tonight',
  caseVersion: 1,
  graphRequestId: null,
  result: 'refused',
  detail: 'Only members of SecOps Approvers can decide cases.',
  ...overrides,
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
    let driver: SqlDriver;

    beforeEach(async () => {
      driver = await makeDriver();
      store = await createSqlStore(driver);
    });

    const openCase = async (): Promise<Case> => {
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
      return c;
    };
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

    it('keeps the first alert channel claimed, refreshing only its serviceUrl, and holds it when unbound', async () => {
      expect(await store.getAlertChannel()).toBeNull();
      const channel = { serviceUrl: 'http://c/', tenantId: 't', teamId: 'team', channelId: 'ch1' };
      const claims = await Promise.all([
        store.claimAlertChannel(channel),
        store.claimAlertChannel({ ...channel, teamId: 'other', channelId: 'x' }),
      ]);
      expect(claims.sort()).toEqual(['bound', 'taken']);
      const holder = await store.getAlertChannel();
      expect(await store.claimAlertChannel({ ...channel, teamId: 'third', channelId: 'y' })).toBe(
        'taken',
      );
      expect(await store.getAlertChannel()).toEqual(holder);
      if (holder?.teamId === 'team') {
        expect(await store.claimAlertChannel({ ...channel, serviceUrl: 'http://moved/' })).toBe(
          'refreshed',
        );
        expect(await store.getAlertChannel()).toEqual({ ...channel, serviceUrl: 'http://moved/' });
      }
      expect(await store.unbindAlertChannel('other')).toBe(false);
      expect(await store.unbindAlertChannel('team')).toBe(true);
      expect(await store.getAlertChannel()).toBeNull();
      expect(await store.getAlertChannelBinding()).toMatchObject({
        status: 'unbound',
        channel: { teamId: 'team', channelId: 'ch1' },
        since: expect.stringMatching(/^\d{4}-/),
      });
      // Unbound is not free: another team's claim waits for an approver.
      expect(await store.claimAlertChannel({ ...channel, teamId: 'other', channelId: 'x' })).toBe(
        'taken',
      );
      expect(await store.getAlertChannel()).toBeNull();
      // The same team back, from any of its channels, rebinds its old channel.
      expect(
        await store.claimAlertChannel({ ...channel, channelId: 'ch2', serviceUrl: 'http://c2/' }),
      ).toBe('bound');
      expect(await store.getAlertChannel()).toEqual({ ...channel, serviceUrl: 'http://c2/' });
      await store.setAlertChannel({ ...channel, teamId: 'approved', channelId: 'z' });
      expect(await store.getAlertChannel()).toEqual({
        ...channel,
        teamId: 'approved',
        channelId: 'z',
      });
    });

    it('binds to the first tenant and reports that binding to every later start', async () => {
      const live = { tenantId: '7D3F0C2A-5B1E-4A9C-8E6F-1D2C3B4A5F60', simulated: false };
      const other = { tenantId: '0b9e8d7c-6a5f-4e3d-9c2b-1a0f9e8d7c6b', simulated: false };
      const bound = await Promise.all([store.bindTenant(live), store.bindTenant(other)]);
      expect(bound[0]).toEqual(bound[1]);
      const winner = bound[0];
      expect([live.tenantId.toLowerCase(), other.tenantId]).toContain(winner?.tenantId);
      expect(await store.bindTenant({ ...live, simulated: true })).toEqual(winner);
      expect(await store.bindTenant(other)).toEqual(winner);
    });

    it('keeps a simulated tenant apart from a real one with the same id', async () => {
      const simulated = { tenantId: '0b9e8d7c-6a5f-4e3d-9c2b-1a0f9e8d7c6b', simulated: true };
      expect(await store.bindTenant(simulated)).toEqual(simulated);
      expect(await store.bindTenant({ ...simulated, simulated: false })).toEqual(simulated);
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
      expect(await store.countInbox()).toBe(2);
      await store.deleteInbox(first.map((i) => i.id));
      expect(await store.countInbox()).toBe(0);
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

    it('lets only one of two first syncs of a group commit', async () => {
      const results = await Promise.all([
        store.commitGroupSync(baseline(['alex'])),
        store.commitGroupSync({ ...baseline(['adele']), newDeltaLink: 'link-other' }),
      ]);
      expect(results.filter((r) => r !== null)).toHaveLength(1);
      const watched = await store.getWatchedGroup('g1');
      expect(watched?.members.size).toBe(1);
      expect(['link-1', 'link-other']).toContain(watched?.deltaLink);
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
      const c = await openCase();
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
      const c = await openCase();
      await store.claimOutbox(10, 60_000);
      await store.updateCase(c.id, 1, { status: 'approved', decision: null, lastError: null });
      // A change while the post is in flight must not hand the entry to a second worker.
      expect(await store.claimOutbox(10, 60_000)).toEqual([]);
      const card = { serviceUrl: 'http://c/', conversationId: 'ch;messageid=1', activityId: '1' };
      await store.completeCardSync(c.id, 1, card);
      expect((await store.getCase(c.id))?.card).toEqual(card);
      expect(await store.claimOutbox(10, 60_000)).toEqual([{ caseId: c.id, attempts: 1 }]);
      await store.completeCardSync(c.id, 2, null);
      expect(await store.claimOutbox(10, 0)).toEqual([]);
    });

    it('delays a failed card delivery', async () => {
      const c = await openCase();
      await store.claimOutbox(10, 0);
      await store.retryOutbox(c.id, 60_000, 'connector said 429');
      expect(await store.claimOutbox(10, 60_000)).toEqual([]);
    });

    it('stops a card Teams refused for good, says why, and tries again after the case changes', async () => {
      const c = await openCase();
      await store.claimOutbox(10, 0);
      await store.stopOutbox(c.id, 'Teams answered 404: the card was deleted');
      expect(await store.claimOutbox(10, 60_000)).toEqual([]);
      expect(await store.listStoppedOutbox(10)).toEqual([
        expect.objectContaining({
          caseId: c.id,
          reason: 'Teams answered 404: the card was deleted',
        }),
      ]);
      await store.updateCase(c.id, 1, { status: 'approved', decision: null, lastError: null });
      expect(await store.listStoppedOutbox(10)).toEqual([]);
      expect(await store.claimOutbox(10, 60_000)).toEqual([{ caseId: c.id, attempts: 1 }]);
    });

    it('marks the bound alert channel broken until its own team claims it again', async () => {
      const channel = { serviceUrl: 'http://s/', tenantId: 't', teamId: 'team', channelId: 'c' };
      await store.claimAlertChannel(channel);
      await store.markAlertChannelBroken({ ...channel, teamId: 'other' }, 'not this one');
      expect(await store.getAlertChannel()).toEqual(channel);
      await store.markAlertChannelBroken(channel, 'Teams answered 403');
      expect((await store.getAlertChannel())?.broken).toEqual({
        reason: 'Teams answered 403',
        since: expect.any(String),
      });
      // A broken channel is not free: another team's install does not take it.
      expect(
        await store.claimAlertChannel({ ...channel, teamId: 'new-team', channelId: 'n' }),
      ).toBe('taken');
      expect(
        await store.claimAlertChannel({ ...channel, channelId: 'c2', serviceUrl: 'http://s2/' }),
      ).toBe('bound');
      expect(await store.getAlertChannel()).toEqual({ ...channel, serviceUrl: 'http://s2/' });
      await store.unbindAlertChannel('team');
    });

    it('keeps the actor and the group kind from open time, and changes them only when told', async () => {
      const c = await openCase();
      expect(c).toMatchObject({
        groupIsRoleAssignable: true,
        memberSeenAt: null,
        actor: { kind: 'user', id: 'diego', name: 'Diego Siciliani' },
        restoreRequest: null,
      });
      const request = {
        by: { id: 'alex', name: 'Alex' },
        at: '2026-11-25T10:05:00.000Z',
        reason: 'x',
      };
      const requested = await store.updateCase(c.id, 1, {
        status: 'restore-requested',
        decision: null,
        lastError: null,
        restoreRequest: request,
      });
      expect(requested).toMatchObject({
        status: 'restore-requested',
        version: 2,
        restoreRequest: request,
      });
      const kept = await store.updateCase(c.id, 2, {
        status: 'restoring',
        decision: null,
        lastError: null,
      });
      expect(kept).toMatchObject({ restoreRequest: request, actor: c.actor });
      const cleared = await store.updateCase(c.id, 3, {
        status: 'open',
        decision: null,
        lastError: null,
        restoreRequest: null,
        actor: null,
      });
      expect(cleared).toMatchObject({ restoreRequest: null, actor: null });
    });

    it('chains decision log records by hash, in order, and reads them back page by page', async () => {
      const first = await store.appendDecisionLog(logEntry(1));
      const second = await store.appendDecisionLog(logEntry(1, { reason: null, detail: null }));
      expect(first).toMatchObject({ seq: 1, prevHash: '0'.repeat(64) });
      expect(first.hash).toMatch(/^[0-9a-f]{64}$/);
      expect(second).toMatchObject({ seq: 2, prevHash: first.hash, reason: null });
      expect(await store.readDecisionLog(0, 10)).toEqual([first, second]);
      expect(await store.readDecisionLog(1, 10)).toEqual([second]);
      expect(await verifyDecisionLog(store)).toEqual({
        ok: true,
        records: 2,
        headHash: second.hash,
      });
    });

    it('logs a decision only when its case update wins, with the version it produced', async () => {
      const c = await openCase();
      const decision = { verb: 'approve' as const, by: { id: 'alex', name: 'Alex' }, at: 'now' };
      const won = await store.updateCase(c.id, 1, {
        status: 'approved',
        decision,
        lastError: null,
        log: logEntry(c.id, { verb: 'approve', result: 'approved', detail: null }),
      });
      const lost = await store.updateCase(c.id, 1, {
        status: 'restoring',
        decision,
        lastError: null,
        log: logEntry(c.id, { result: 'restored', detail: null }),
      });
      expect(won?.version).toBe(2);
      expect(lost).toBeNull();
      const log = await store.readDecisionLog(0, 10);
      expect(log.map((r) => [r.result, r.caseVersion])).toEqual([['approved', 2]]);
    });

    it('serializes concurrent appends into one unbroken chain', async () => {
      const c = await openCase();
      await Promise.all([
        ...Array.from({ length: 15 }, (_, i) =>
          store.appendDecisionLog(logEntry(c.id, { reason: `r${i}` })),
        ),
        ...Array.from({ length: 5 }, (_, v) =>
          store.updateCase(c.id, v + 1, {
            status: 'open',
            decision: null,
            lastError: null,
            log: logEntry(c.id, { result: 'restore-cancelled' }),
          }),
        ),
      ]);
      const log = await store.readDecisionLog(0, 100);
      expect(log.map((r) => r.seq)).toEqual(log.map((_, i) => i + 1));
      expect(await verifyDecisionLog(store)).toMatchObject({ ok: true, records: log.length });
    });

    it('refuses to update, delete or truncate decision log records', async () => {
      await store.appendDecisionLog(logEntry(1));
      await expect(
        driver.query("UPDATE decision_log SET approver_name = 'Mallory'"),
      ).rejects.toThrow(/append-only/);
      await expect(driver.query('DELETE FROM decision_log')).rejects.toThrow(/append-only/);
      await expect(driver.query('TRUNCATE decision_log')).rejects.toThrow(/append-only/);
      expect(await store.readDecisionLog(0, 10)).toHaveLength(1);
    });

    it('names the first record someone changed behind the trigger', async () => {
      for (let i = 0; i < 4; i++) await store.appendDecisionLog(logEntry(1, { reason: `r${i}` }));
      await driver.query('ALTER TABLE decision_log DISABLE TRIGGER decision_log_no_change');
      await driver.query("UPDATE decision_log SET approver_name = 'Mallory' WHERE seq = 3");
      expect(await verifyDecisionLog(store)).toEqual({
        ok: false,
        records: 2,
        brokenSeq: 3,
        problem: 'contents do not match its hash (the record was changed)',
      });
      await driver.query('DELETE FROM decision_log WHERE seq = 3');
      expect(await verifyDecisionLog(store)).toMatchObject({ ok: false, brokenSeq: 4 });
    });

    it('keeps the latest MRI of each Teams user and lists approvers first for card refresh', async () => {
      expect(await store.listCardAudience(60)).toEqual([]);
      await store.recordTeamsUser({ aadObjectId: 'A1', mri: '29:a-old', name: 'A' });
      await store.recordTeamsUser({ aadObjectId: 'a1', mri: '29:a', name: 'A' });
      await store.recordTeamsUser({ aadObjectId: 'b1', mri: '29:b', name: 'B' });
      await store.recordTeamsUser({ aadObjectId: 'c1', mri: '29:c', name: 'C' });
      await store.noteApprover('A1', true);
      await store.noteApprover('c1', false);
      await store.noteApprover('unknown', true);
      const audience = await store.listCardAudience(60);
      expect(audience[0]).toBe('29:a');
      expect([...audience].sort()).toEqual(['29:a', '29:b', '29:c']);
      expect(await store.listCardAudience(2)).toHaveLength(2);
    });
  });
}
