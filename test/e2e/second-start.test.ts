import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { formatCaseRef } from '../../src/core/case';
import { SEED } from '../../src/sim/seed-tenant';
import { openStore } from '../../src/store/open-store';
import { createPgliteDriver } from '../../src/store/pglite-driver';
import { verifyDecisionLog } from '../../src/workflows/decision-log';
import { freeLoopbackPort } from '../browser/free-port';
import { BotProcess } from '../chaos/bot-process';
import { startFakeBotConnector, type FakeBotConnector } from '../fakes/fake-bot-connector';
import {
  botInstalledInTeam,
  cardActionInvoke,
  channelMessage,
  postActivity,
  teamsBot,
  teamsUser,
} from '../fakes/teams-activities';
import { buttonsOf, textOf } from './case-cards';
import { eventually } from './start-groupguard';

const ROOT = join(__dirname, '..', '..');
const alex = teamsUser('Alex Wilber', SEED.users.alex);
// The Agents Playground's bot id; demo mode has no app id of its own.
const bot = teamsBot('00000000-0000-0000-0000-00000000000011');
const LIVE_TENANT = '0b9e8d7c-6a5f-4e3d-9c2b-1a0f9e8d7c6b';

const demoEnv = (dataDir: string) => ({
  PLAYGROUND: 'off',
  DATA_DIR: dataDir,
  LOG_LEVEL: 'info',
  WORKER_POLL_INTERVAL_MS: '100',
});

/** `npm start` in demo mode, started and stopped as a person does, on a free port. */
class Demo {
  private constructor(
    readonly process: BotProcess,
    readonly logFile: string,
    readonly connector: FakeBotConnector,
  ) {}

  static async start(
    name: string,
    dataDir: string,
    port: number,
    connector: FakeBotConnector,
  ): Promise<Demo> {
    const logFile = join(dataDir, '..', `${name}.log`);
    const process = new BotProcess(name, port, demoEnv(dataDir), logFile);
    await process.start();
    // Listening comes first; main logs this once the baseline sweep and the workers started.
    await eventually(
      async () => existsSync(logFile) && readFileSync(logFile, 'utf8').includes('DEMO MODE'),
      `${name} to finish starting`,
      60_000,
    );
    return new Demo(process, logFile, connector);
  }

  send(activity: object) {
    return postActivity(`${this.process.url}/api/messages`, activity as never);
  }

  /** A channel message to the bot; resolves with the bot's reply text. */
  async say(text: string): Promise<string> {
    const before = this.connector.replies().length;
    const response = await this.send(
      channelMessage({ text, from: alex, serviceUrl: this.connector.serviceUrl, bot }),
    );
    expect(response.status).toBe(200);
    const reply = await eventually(
      async () => this.connector.replies().slice(before)[0],
      `a reply to "${text}"`,
    );
    return reply.text ?? '';
  }
}

const casePosts = (connector: FakeBotConnector, caseId: number) =>
  connector.posts().filter((p) => textOf(p.card).includes(`${formatCaseRef(caseId)} ·`));

/** Path → sha256 of every file under `dir`. */
function fingerprint(dir: string) {
  const files: Record<string, string> = {};
  const walk = (at: string) => {
    for (const name of readdirSync(at)) {
      const path = join(at, name);
      if (statSync(path).isDirectory()) walk(path);
      else
        files[relative(dir, path)] = createHash('sha256').update(readFileSync(path)).digest('hex');
    }
  };
  walk(dir);
  return files;
}

/**
 * What an embedded store holds: its files by name and every row of every table. PostgreSQL
 * rewrites its own bookkeeping whenever a database is opened (hint bits, the relation cache
 * file, pg_control, WAL), so for a store that had to be opened to be refused, this is the
 * "unchanged" that can hold.
 */
async function storeContent(dataDir: string) {
  const files = Object.keys(fingerprint(dataDir)).sort();
  const driver = await createPgliteDriver(dataDir);
  try {
    const tables = await driver.query<{ name: string }>(
      "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1",
    );
    const rows: Record<string, string[]> = {};
    for (const { name } of tables.rows) {
      const result = await driver.query(`SELECT * FROM ${name}`);
      rows[name] = result.rows.map((row) => JSON.stringify(row)).sort();
    }
    return { files, rows };
  } finally {
    await driver.close();
  }
}

/** Runs src/main.ts to its end, as `npm start` would; for starts that must refuse. */
function runToExit(env: Record<string, string>) {
  return new Promise<{ code: number; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      ['--require', 'tsx/cjs', join(ROOT, 'src', 'main.ts')],
      {
        cwd: ROOT,
        env: {
          PATH: process.env.PATH ?? '',
          NODE_OPTIONS: `--require ${join(ROOT, 'scripts', 'loopback-guard.cjs')}`,
          PORT: '0',
          ...env,
        },
        timeout: 150_000,
      },
      (error, _stdout, stderr) =>
        resolve({ code: error ? Number((error as { code?: number }).code ?? -1) : 0, stderr }),
    );
  });
}

describe('the second `npm start` in the same DATA_DIR carries on where the first stopped', () => {
  let work: string;
  let connector: FakeBotConnector;
  const running: Demo[] = [];

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'groupguard-second-start-'));
    connector = await startFakeBotConnector();
  });
  afterAll(async () => {
    for (const demo of running) await demo.process.stop();
    await connector?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('keeps cases, cards and decisions; a new removal gets its card; nothing is posted twice', async () => {
    const dataDir = join(work, 'data');
    const port = await freeLoopbackPort();

    const first = await Demo.start('first', dataDir, port, connector);
    running.push(first);
    for (const activity of botInstalledInTeam({
      from: alex,
      serviceUrl: connector.serviceUrl,
      bot,
    })) {
      expect((await first.send(activity)).status).toBe(200);
    }
    expect(await first.say('simulate remove Adele Vance from MFA Required')).toContain(
      'removed Adele Vance from MFA Required',
    );
    const adele = await eventually(async () => casePosts(connector, 1)[0], 'the card for GG-1');
    expect(textOf(adele.card)).toContain('Adele Vance');
    const approve = buttonsOf(adele.card).find((b) => b.verb === 'approve');
    const clicked = await first.send(
      cardActionInvoke({
        verb: 'approve',
        data: approve?.data ?? {},
        from: alex,
        replyToId: adele.activityId,
        conversationId: adele.conversationId,
        serviceUrl: connector.serviceUrl,
        bot,
      }),
    );
    expect(textOf(clicked.body)).toContain('Removal approved by Alex Wilber');
    await eventually(
      async () => connector.updates(adele.activityId).length > 0,
      'the GG-1 card updated for everyone',
    );
    // Ctrl-C.
    expect(await first.process.stop('SIGINT')).toBe(0);

    const second = await Demo.start('second', dataDir, port, connector);
    running.push(second);
    // The simulated tenant carried on: the approved removal stands.
    expect(await second.say('simulate remove Adele Vance from MFA Required')).toContain(
      '"Adele Vance" is not a member of MFA Required',
    );
    expect(await second.say('simulate remove Isaiah Langer from MFA Required')).toContain(
      'removed Isaiah Langer from MFA Required',
    );
    const isaiah = await eventually(async () => casePosts(connector, 2)[0], 'the card for GG-2');
    expect(textOf(isaiah.card)).toContain('Isaiah Langer');
    expect(await second.process.stop('SIGINT')).toBe(0);
    expect(readFileSync(second.logFile, 'utf8')).not.toContain('fetch failed');

    // Across both runs: one card per case, and the first run's case, card and decision kept.
    expect(connector.posts()).toHaveLength(2);
    expect(casePosts(connector, 1)).toHaveLength(1);
    const store = await openStore({ dataDir, databaseUrl: null });
    try {
      const [gg2, gg1] = await store.listCases({ limit: 10 });
      expect(gg1).toMatchObject({
        id: 1,
        memberId: SEED.users.adele,
        status: 'approved',
        decision: expect.objectContaining({ by: { id: SEED.users.alex, name: 'Alex Wilber' } }),
        card: expect.objectContaining({ activityId: adele.activityId }),
      });
      expect(gg2).toMatchObject({
        id: 2,
        memberId: SEED.users.isaiah,
        status: 'open',
        card: expect.objectContaining({ activityId: isaiah.activityId }),
      });
      expect(await verifyDecisionLog(store)).toMatchObject({ ok: true, records: 1 });
    } finally {
      await store.close();
    }
  }, 180_000);
});

describe('a start on a DATA_DIR it cannot use refuses, naming it, and deletes nothing', () => {
  let work: string;

  beforeEach(() => {
    work = mkdtempSync(join(tmpdir(), 'groupguard-refused-'));
  });
  afterEach(() => rmSync(work, { recursive: true, force: true }));

  const expectRefused = async (dataDir: string, says: RegExp) => {
    const { code, stderr } = await runToExit(demoEnv(dataDir));
    expect(code).toBe(2);
    const lines = stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^GroupGuard cannot start: /);
    expect(lines[0]).toContain(dataDir);
    expect(lines[0]).toMatch(says);
  };

  it("a directory that is not GroupGuard's", async () => {
    const dataDir = join(work, 'home');
    mkdirSync(join(dataDir, 'projects'), { recursive: true });
    writeFileSync(join(dataDir, 'notes.txt'), 'my notes');
    writeFileSync(join(dataDir, 'projects', 'plan.md'), '# plan');
    const before = fingerprint(dataDir);
    await expectRefused(dataDir, /not GroupGuard's data.*Point DATA_DIR at another directory/);
    expect(fingerprint(dataDir)).toEqual(before);
  }, 180_000);

  it('an embedded store PGlite cannot open', async () => {
    const dataDir = join(work, 'data');
    const store = await openStore({ dataDir, databaseUrl: null });
    await store.close();
    truncateSync(join(dataDir, 'global', 'pg_control'));
    const before = fingerprint(dataDir);
    await expectRefused(dataDir, /cannot be opened as GroupGuard's store.*move .* away/);
    expect(fingerprint(dataDir)).toEqual(before);
  }, 180_000);

  it("another tenant's store: no data of the simulated tenant is added to it", async () => {
    const dataDir = join(work, 'data');
    const live = await openStore(
      { dataDir, databaseUrl: null },
      { tenantId: LIVE_TENANT, simulated: false },
    );
    await live.close();
    const before = await storeContent(dataDir);
    expect(before.rows.tenant_binding).toHaveLength(1);
    await expectRefused(
      dataDir,
      new RegExp(`holds the data of tenant ${LIVE_TENANT}, not of the simulated demo tenant`),
    );
    expect(await storeContent(dataDir)).toEqual(before);
    expect(existsSync(join(dataDir, 'simulated-tenant.json'))).toBe(false);
    const again = await openStore({ dataDir, databaseUrl: null });
    try {
      expect(await again.bindTenant({ tenantId: SEED.tenantId, simulated: true })).toEqual({
        tenantId: LIVE_TENANT,
        simulated: false,
      });
      expect(await again.getWatchedGroup(SEED.groups.mfaRequired)).toBeNull();
    } finally {
      await again.close();
    }
  }, 180_000);

  it('a simulated tenant file that is not one', async () => {
    const dataDir = join(work, 'data');
    const store = await openStore(
      { dataDir, databaseUrl: null },
      { tenantId: SEED.tenantId, simulated: true },
    );
    await store.close();
    const damaged = '{"format": "groupguard-simul';
    writeFileSync(join(dataDir, 'simulated-tenant.json'), damaged);
    const before = await storeContent(dataDir);
    await expectRefused(
      dataDir,
      /simulated-tenant\.json \(in DATA_DIR\) is not JSON\. Move that file away/,
    );
    expect(await storeContent(dataDir)).toEqual(before);
    expect(readFileSync(join(dataDir, 'simulated-tenant.json'), 'utf8')).toBe(damaged);
  }, 180_000);
});
