import pg from 'pg';
import { SEED } from '../../src/sim/seed-tenant';
import { postgresForTests } from '../contract/postgres-for-tests';
import { startCuttableProxy } from '../fakes/cuttable-proxy';
import { caseIdOf, casePost, click, clickCurrent, waitForCardText } from './case-cards';
import {
  installInTeam,
  startGroupGuard,
  teamsUser,
  type GroupGuardUnderTest,
} from './start-groupguard';

const u = SEED.users;
const g = SEED.groups;
const alex = teamsUser('Alex Wilber', u.alex);
const postgres = postgresForTests();

/**
 * A click GroupGuard fails on inside still gets an answer the person can read (Teams shows
 * "Something went wrong" for an error answer): the card as it stands with a notice, or a short
 * message when not even the case can be read. The faults are the database's own: a trigger
 * that refuses writes to the decision log, and a cut connection.
 */
describe('a click when GroupGuard fails inside', () => {
  if (!postgres.available) {
    it('needs a PostgreSQL server', () => postgres.reportMissing());
    return;
  }
  let gg: GroupGuardUnderTest;
  let proxy: Awaited<ReturnType<typeof startCuttableProxy>>;
  let dbName = '';
  const sql = async (text: string, database = dbName) => {
    const url = new URL(postgres.url);
    url.pathname = `/${database}`;
    const client = new pg.Client({ connectionString: url.toString() });
    await client.connect();
    try {
      await client.query(text);
    } finally {
      await client.end();
    }
  };
  /** The database refuses decision-log records with this result, as a full disk would. */
  const refuseLogged = (result: string) =>
    sql(`
      CREATE OR REPLACE FUNCTION gg_test_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'could not extend file: No space left on device'; END $$;
      CREATE TRIGGER gg_test_refuse BEFORE INSERT ON decision_log FOR EACH ROW
        WHEN (NEW.result = '${result}') EXECUTE FUNCTION gg_test_refuse();`);
  const acceptLogged = () => sql('DROP TRIGGER IF EXISTS gg_test_refuse ON decision_log');

  beforeAll(async () => {
    jest.spyOn(console, 'error').mockImplementation(() => undefined);
    const server = new URL(postgres.url);
    proxy = await startCuttableProxy({ host: server.hostname, port: Number(server.port || 5432) });
    dbName = `gg_failures_${process.pid}_${Date.now()}`;
    await sql(`CREATE DATABASE ${dbName}`, new URL(postgres.url).pathname.slice(1));
    const viaProxy = new URL(postgres.url);
    viaProxy.port = String(proxy.port);
    viaProxy.pathname = `/${dbName}`;
    gg = await startGroupGuard({ DATABASE_URL: viaProxy.toString() });
    await installInTeam(gg, alex);
  });
  afterAll(async () => {
    jest.restoreAllMocks();
    proxy?.restore();
    await gg?.stop();
    await proxy?.stop();
    if (dbName) {
      await sql(
        `DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`,
        new URL(postgres.url).pathname.slice(1),
      );
    }
  });

  it('answers with the current card and "nothing was decided" when the decision cannot be stored', async () => {
    gg.sim.directory.removeMember(g.finance, u.lee, u.diego);
    const post = await casePost(gg, 'Lee Gu', 'Finance Team');
    await waitForCardText(gg, post, '{"title":"Removed by","value":"Diego Siciliani"}');
    const before = await gg.app.store.getCase(caseIdOf(post));
    await refuseLogged('approved');
    try {
      const response = await clickCurrent(gg, post, alex, 'approve');
      expect(response.shown.kind).toBe('card');
      expect(response.text).toContain(
        'GroupGuard could not complete this action, so nothing was decided. Try again in a minute.',
      );
      expect(response.text).toContain('Open: approve the removal or restore the member');
    } finally {
      await acceptLogged();
    }
    expect(await gg.app.store.getCase(caseIdOf(post))).toMatchObject({
      status: 'open',
      version: before?.version,
      decision: null,
    });
    const log = await gg.app.store.readDecisionLog(0, 100);
    expect(log.filter((r) => r.caseId === caseIdOf(post) && r.result !== 'refused')).toEqual([]);
  });

  it('says where a restore stands when it cannot be settled after Graph was called', async () => {
    gg.sim.directory.removeMember(g.mfaRequired, u.johanna, u.diego);
    const post = await casePost(gg, 'Johanna Lorenz', 'MFA Required');
    await refuseLogged('restored');
    try {
      const response = await clickCurrent(gg, post, alex, 'restore');
      expect(response.shown.kind).toBe('card');
      expect(response.text).toContain('GroupGuard ran into an error after starting this restore.');
      expect(response.text).toContain('Restoring… started by Alex Wilber');
      expect(response.text).not.toContain('nothing was decided');
    } finally {
      await acceptLogged();
    }
    expect((await gg.app.store.getCase(caseIdOf(post)))?.status).toBe('restoring');
  });

  it('answers with a short message when the store cannot be read at all, and changes nothing', async () => {
    gg.sim.directory.removeMember(g.finance, u.patti, u.diego);
    const post = await casePost(gg, 'Patti Fernandez', 'Finance Team');
    const before = await gg.app.store.getCase(caseIdOf(post));
    proxy.cut();
    const response = await click(gg, post, alex, 'restore', {
      caseId: caseIdOf(post),
      version: before?.version,
    }).finally(() => proxy.restore());
    expect(response.shown).toEqual({
      kind: 'message',
      text: 'GroupGuard could not complete this action, so nothing was decided. Try again in a minute.',
    });
    expect(await gg.app.store.getCase(caseIdOf(post))).toMatchObject({
      status: 'open',
      version: before?.version,
      decision: null,
    });
    expect(gg.sim.directory.isMember(g.finance, u.patti)).toBe(false);
  });
});
