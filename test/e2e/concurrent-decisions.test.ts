import { SEED } from '../../src/sim/seed-tenant';
import { postgresForTests } from '../contract/postgres-for-tests';
import { caseIdOf, casePost, click } from './case-cards';
import {
  installInTeam,
  startGroupGuard,
  teamsUser,
  type GroupGuardUnderTest,
} from './start-groupguard';

const u = SEED.users;
const g = SEED.groups;
const CLICKS = 60;
const DECISIONS = new Set(['approved', 'restored', 'restore-requested', 'restore-cancelled']);

/** Nine approvers: the seeded two plus seven people added to SecOps Approvers for this test. */
const extraApprovers = [u.patti, u.lynne, u.johanna, u.lee, u.grady, u.nestor, u.miriam];

const postgres = postgresForTests();
const stores: Array<[string, () => Promise<Record<string, string>>]> = [
  ['the embedded store', async () => ({})],
];
if (postgres.available) {
  stores.push([
    'PostgreSQL (a pool of 10 connections)',
    async () => {
      const url = new URL(postgres.url);
      url.searchParams.set('options', `-c search_path=${await postgres.freshSchema()}`);
      return { DATABASE_URL: url.toString() };
    },
  ]);
} else {
  it('needs PostgreSQL for the race on a connection pool', () => postgres.reportMissing());
}
afterAll(() => postgres.dropSchemas());

describe.each(stores)('concurrent clicks on one case, on %s', (_store, storeEnv) => {
  let gg: GroupGuardUnderTest;
  let approvers: ReturnType<typeof teamsUser>[];

  beforeAll(async () => {
    gg = await startGroupGuard(await storeEnv());
    await installInTeam(gg, teamsUser('Alex Wilber', u.alex));
    for (const id of extraApprovers) gg.sim.directory.addMember(g.secOpsApprovers, id, u.diego);
    approvers = [u.alex, u.megan, ...extraApprovers].map((id) =>
      teamsUser(gg.sim.directory.findUser(id)?.displayName ?? id, id),
    );
  });
  afterAll(async () => {
    await gg?.stop();
  });

  const verbs = {
    'restore first': (i: number) => (i % 2 ? 'approve' : 'restore'),
    'approve first': (i: number) => (i % 2 ? 'restore' : 'approve'),
    'restore only': () => 'restore',
  };

  it.each([
    ['Adele Vance', 'restore first', u.adele],
    ['Isaiah Langer', 'approve first', u.isaiah],
    ['Diego Siciliani', 'restore only', u.diego],
  ] as const)(
    `turns ${CLICKS} simultaneous clicks by nine approvers on %s's case (%s) into one decision and at most one Graph call`,
    async (name, mix, memberId) => {
      gg.sim.directory.removeMember(g.mfaRequired, memberId, u.breakGlass);
      const post = await casePost(gg, name, 'MFA Required');
      const caseId = caseIdOf(post);
      const addsBefore = gg.sim.directory.auditRecords().length;

      const started = Date.now();
      const responses = await Promise.all(
        Array.from({ length: CLICKS }, (_, i) =>
          click(gg, post, approvers[i % approvers.length] as never, verbs[mix](i), {
            caseId,
            version: 1,
          }),
        ),
      );
      const elapsedMs = Date.now() - started;

      expect(responses.every((r) => r.status === 200)).toBe(true);
      const losers = responses.filter((r) => r.text.includes('Already decided by'));
      const winners = responses.filter((r) => !r.text.includes('Already decided by'));
      expect(winners).toHaveLength(1);
      expect(losers).toHaveLength(CLICKS - 1);

      const decided = await gg.app.store.getCase(caseId);
      expect(mix === 'restore only' ? ['restored'] : ['approved', 'restored']).toContain(
        decided?.status,
      );
      const by = decided?.decision?.by.name ?? '';
      for (const loser of losers) expect(loser.text).toContain(`Already decided by ${by} at`);
      expect(winners[0]?.text).toContain(
        decided?.status === 'restored' ? `Restored by ${by}` : `Removal approved by ${by}`,
      );

      // Counted where it happened: the simulator's own directory audit log.
      const adds = gg.sim.directory
        .auditRecords()
        .slice(addsBefore)
        .filter(
          (a) =>
            a.activityDisplayName === 'Add member to group' &&
            a.targetResources.some((t) => t.id === memberId),
        );
      expect(adds).toHaveLength(decided?.status === 'restored' ? 1 : 0);
      expect(gg.sim.directory.isMember(g.mfaRequired, memberId)).toBe(
        decided?.status === 'restored',
      );

      const decisions = (await gg.app.store.readDecisionLog(0, 1000)).filter(
        (r) => r.caseId === caseId && DECISIONS.has(r.result),
      );
      expect(decisions).toHaveLength(1);
      if (process.env.GG_REPORT === '1') {
        process.stderr.write(
          `race ${_store} ${name}: ${CLICKS} clicks in ${elapsedMs} ms, ${decided?.status} by ${by}, ${adds.length} Graph add\n`,
        );
      }
    },
  );
});
