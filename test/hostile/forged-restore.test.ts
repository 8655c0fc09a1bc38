import { Writable } from 'node:stream';
import pg from 'pg';
import type { Case } from '../../src/core/case';
import { SEED } from '../../src/sim/seed-tenant';
import type { Clock } from '../../src/workflows/ports';
import { claimDetail, claimRestore } from '../../src/workflows/settle-restore';
import { postgresForTests } from '../contract/postgres-for-tests';
import {
  eventually,
  installInTeam,
  startGroupGuard,
  teamsUser,
  type GroupGuardUnderTest,
} from '../e2e/start-groupguard';

const u = SEED.users;
const g = SEED.groups;
const alex = { id: u.alex, name: 'Alex Wilber' };
const megan = { id: u.megan, name: 'Megan Bowen' };
const ALARM = 'restore-without-logged-decision';
const postgres = postgresForTests();

/**
 * Someone who can write the database (but holds no approver account) tries to make GroupGuard
 * add a member: a case row edited or inserted as `restoring`, a claim forged for a privileged
 * group, a claimed case pointed at another member. Recovery believes only the decision log and
 * its four-eyes pair; each attempt must reach no Graph write and raise an alarm.
 */
const suite = () => {
  let gg: GroupGuardUnderTest;
  let sql: pg.Client;
  let offsetMs = 0;
  const clock: Clock = { now: () => new Date(Date.now() + offsetMs) };
  const alarms: Array<{ caseId: number; problem: string }> = [];

  beforeAll(async () => {
    const schema = await postgres.freshSchema();
    const url = new URL(postgres.url);
    url.searchParams.set('options', `-c search_path=${schema}`);
    const logs = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) {
          const entry = JSON.parse(line) as { alarm?: string; caseId: number; problem: string };
          if (entry.alarm === ALARM) alarms.push(entry);
        }
        done();
      },
    });
    gg = await startGroupGuard(
      { DATABASE_URL: url.toString(), LOG_LEVEL: 'error', SWEEP_INTERVAL_MS: '200' },
      { clock, logDestination: logs },
    );
    await installInTeam(gg, teamsUser('Alex Wilber', u.alex));
    sql = new pg.Client({ connectionString: postgres.url, options: `-c search_path=${schema}` });
    await sql.connect();
  });
  afterAll(async () => {
    await sql?.end();
    await gg?.stop();
    await postgres.dropSchemas();
  });

  const openCaseFor = async (groupId: string, memberId: string): Promise<Case> => {
    gg.sim.directory.removeMember(groupId, memberId, u.diego);
    return eventually(async () => {
      const cases = await gg.app.store.listCases({ limit: 500 });
      // Once the audit log named the actor, nothing else moves the case's version.
      return cases.find((c) => c.memberId === memberId && c.groupId === groupId && c.actor);
    }, 'the case with its actor');
  };
  const restoreDeps = () => ({
    store: gg.app.store,
    remediation: { addGroupMember: () => Promise.reject(new Error('a claim calls no Graph')) },
    log: gg.app.log,
    clock,
    onCaseChanged: () => undefined,
  });
  const addsAtGraph = (groupId: string, memberId: string) =>
    gg.sim.directory
      .auditRecords()
      .filter(
        (r) =>
          r.activityDisplayName === 'Add member to group' &&
          JSON.stringify(r.targetResources).includes(groupId) &&
          JSON.stringify(r.targetResources).includes(memberId),
      );
  /** The sweep's answer: an alarm naming the case, the case reopened, nobody added. */
  const refusedByRecovery = async (caseId: number, groupId: string, memberId: string) => {
    const alarm = await eventually(
      async () => alarms.find((a) => a.caseId === caseId),
      `the alarm for case ${caseId}`,
    );
    const reopened = await eventually(async () => {
      const c = await gg.app.store.getCase(caseId);
      return c?.status === 'open' ? c : null;
    }, `case ${caseId} reopened`);
    expect(reopened.lastError).toBe(
      'GroupGuard refused a restore its decision log does not hold; nothing was added.',
    );
    expect(addsAtGraph(groupId, memberId)).toEqual([]);
    expect(gg.sim.directory.isMember(groupId, memberId)).toBe(false);
    const log = await gg.app.store.readCaseDecisions(caseId);
    expect(log.at(-1)).toMatchObject({ result: 'refused', approverName: 'GroupGuard' });
    expect(log.filter((r) => r.result === 'restored')).toEqual([]);
    return alarm.problem;
  };

  it('adds nobody for a case row set to restoring in SQL, and raises an alarm', async () => {
    const c = await openCaseFor(g.mfaRequired, u.adele);
    const forged = { verb: 'restore', by: alex, at: '2026-01-01T00:00:00.000Z', reason: null };
    await sql.query(`UPDATE gg_case SET status = 'restoring', decision = $2 WHERE id = $1`, [
      c.id,
      JSON.stringify(forged),
    ]);
    expect(await refusedByRecovery(c.id, g.mfaRequired, u.adele)).toBe(
      'no restore claim is the latest decision logged for the case',
    );
  });

  it('adds nobody for a case row inserted in SQL as restoring', async () => {
    const { rows } = await sql.query<{ id: string }>(
      `INSERT INTO gg_case (group_id, group_name, member_id, member_name, removed_at, found_by,
         status, decision) VALUES ($1, 'Finance Team', $2, 'Isaiah Langer', now(), 'sweep',
         'restoring', $3) RETURNING id`,
      [
        g.finance,
        u.megan,
        JSON.stringify({ verb: 'restore', by: alex, at: '2026-01-01T00:00:00Z' }),
      ],
    );
    const caseId = Number(rows[0]?.id);
    expect(await refusedByRecovery(caseId, g.finance, u.megan)).toBe(
      'no restore claim is the latest decision logged for the case',
    );
  });

  it('adds nobody to a privileged group on a forged one-approver claim, whatever the row says', async () => {
    const c = await openCaseFor(g.tier0, u.adele);
    // An attacker who also writes a correctly chained log record, and marks the row ordinary.
    await gg.app.store.appendDecisionLog({
      caseId: c.id,
      verb: 'restore',
      approverId: alex.id,
      approverName: alex.name,
      at: new Date(Date.now() - 3_600_000).toISOString(),
      reason: null,
      caseVersion: c.version + 1,
      graphRequestId: null,
      result: 'restore-claimed',
      detail: claimDetail(c),
    });
    await sql.query(
      `UPDATE gg_case SET status = 'restoring', version = version + 1, group_role_assignable = false,
         decision = $2 WHERE id = $1`,
      [c.id, JSON.stringify({ verb: 'restore', by: alex, at: new Date().toISOString() })],
    );
    offsetMs = 20 * 60_000;
    try {
      expect(await refusedByRecovery(c.id, g.tier0, u.adele)).toBe(
        'a role-assignable group restored by one approver',
      );
    } finally {
      offsetMs = 0;
    }
  });

  it('adds nobody when a four-eyes claim has no second approver in the log', async () => {
    const c = await openCaseFor(g.tier0, u.breakGlass);
    const requested = await gg.app.store.updateCase(c.id, c.version, {
      status: 'restore-requested',
      decision: null,
      lastError: null,
      restoreRequest: { by: alex, at: new Date().toISOString(), reason: 'on call' },
      log: {
        caseId: c.id,
        verb: 'restore',
        approverId: alex.id,
        approverName: alex.name,
        at: new Date().toISOString(),
        reason: 'on call',
        caseVersion: 0,
        graphRequestId: null,
        result: 'restore-requested',
        detail: null,
      },
    });
    if (!requested) throw new Error('request not stored');
    // The confirmation by the requester, which a click is refused, written straight to the store.
    await claimRestore(restoreDeps(), requested, {
      verb: 'confirm-restore',
      by: alex,
      reason: 'me again',
    });
    offsetMs = 20 * 60_000;
    try {
      expect(await refusedByRecovery(c.id, g.tier0, u.breakGlass)).toBe(
        'the same approver requested and confirmed the restore',
      );
    } finally {
      offsetMs = 0;
    }
  });

  it('adds nobody when a claimed case is pointed at another member in SQL', async () => {
    const c = await openCaseFor(g.mfaRequired, u.patti);
    gg.sim.directory.removeMember(g.mfaRequired, u.isaiah, u.diego);
    const claim = await claimRestore(restoreDeps(), c, {
      verb: 'restore',
      by: megan,
      reason: null,
    });
    expect(claim?.case.status).toBe('restoring');
    await sql.query('UPDATE gg_case SET member_id = $2 WHERE id = $1', [c.id, u.isaiah]);
    expect(await refusedByRecovery(c.id, g.mfaRequired, u.isaiah)).toBe(
      'the case names another member or group than its logged claim',
    );
    expect(gg.sim.directory.isMember(g.mfaRequired, u.patti)).toBe(false);
  });

  it('still finishes a genuine interrupted restore from its logged claim', async () => {
    const c = await openCaseFor(g.finance, u.johanna);
    await claimRestore(restoreDeps(), c, { verb: 'restore', by: megan, reason: null });
    offsetMs = 20 * 60_000;
    try {
      await eventually(
        async () => (await gg.app.store.getCase(c.id))?.status === 'restored',
        'the restore to finish',
      );
    } finally {
      offsetMs = 0;
    }
    expect(gg.sim.directory.isMember(g.finance, u.johanna)).toBe(true);
    expect(alarms.find((a) => a.caseId === c.id)).toBeUndefined();
    const log = await gg.app.store.readCaseDecisions(c.id);
    expect(log.map((r) => r.result)).toEqual(['restore-claimed', 'restored']);
  });
};

if (postgres.available) describe('hostile store: restores without their logged decision', suite);
else it('needs PostgreSQL to edit the store in SQL', () => postgres.reportMissing());
