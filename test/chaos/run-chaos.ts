/**
 * Chaos run: ≥ 1,000 removals under duplicated, dropped and reordered notifications, Graph
 * 429/503, connector 429/5xx and kill -9 restarts; first one bot process on the embedded store,
 * then two on one PostgreSQL. Prints one `chaos:` line per run and fails unless no removal was
 * lost, none opened two cases, and duplicate cards ≤ crashes.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { scaledTenant } from '../../src/sim/scaled-tenant';
import {
  simulatorConnection,
  startGraphSimulator,
  type GraphSimulator,
} from '../../src/sim/graph-simulator';
import { createPgDriver } from '../../src/store/pg-driver';
import { createPgliteDriver } from '../../src/store/pglite-driver';
import type { SqlDriver } from '../../src/store/sql-driver';
import { startFakeBotConnector, type FakeBotConnector } from '../fakes/fake-bot-connector';
import { botInstalledInTeam, postActivity, teamsBot, teamsUser } from '../fakes/teams-activities';
import { postgresForTests } from '../contract/postgres-for-tests';
import { BotProcess } from './bot-process';
import { startLoadBalancer } from './load-balancer';

const SEED = Number(process.env.CHAOS_SEED ?? 7);
const REMOVALS = Number(process.env.CHAOS_REMOVALS ?? 1000);
const GROUPS = 8;
const CRASHES = 3;
const BASE_PORT = 47_100 + (SEED % 50) * 10;

function mulberry32(seed: number) {
  let a = seed;
  return () => {
    a |= 0;
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface RunResult {
  removals: number;
  cases: number;
  lost: number;
  duplicateCases: number;
  duplicateCards: number;
  crashes: number;
  replicas: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(what: string, probe: () => Promise<boolean> | boolean, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`chaos: timed out waiting for ${what}`);
    await sleep(200);
  }
}

/** Card posts per case id, from what the fake connector accepted. */
function cardsPerCase(connector: FakeBotConnector): Map<number, number> {
  const counts = new Map<number, number>();
  for (const post of connector.posts()) {
    const match = /GG-(\d+) ·/.exec(JSON.stringify(post.card));
    if (match) counts.set(Number(match[1]), (counts.get(Number(match[1])) ?? 0) + 1);
  }
  return counts;
}

async function run(replicas: number, database: 'embedded' | 'postgres'): Promise<RunResult> {
  const work = mkdtempSync(join(tmpdir(), `groupguard-chaos-${replicas}-`));
  const random = mulberry32(SEED * 31 + replicas);
  const tenant = scaledTenant({
    groups: GROUPS,
    membersPerGroup: Math.ceil(REMOVALS / GROUPS) + 5,
  });
  const loadGroups = tenant.groups.filter((g) => g.displayName.startsWith('Load Group'));
  const sim: GraphSimulator = await startGraphSimulator({
    tenant,
    seed: SEED + replicas,
    notificationRetry: { attempts: 4, initialDelayMs: 250 },
  });
  const connector = await startFakeBotConnector({
    faults: { throttle429: 0.05, error5xx: 0.05, seed: SEED + replicas, retryAfterSeconds: 0 },
  });
  const connectionFile = join(work, 'graph-simulator.json');
  writeFileSync(connectionFile, JSON.stringify(simulatorConnection(sim)), { mode: 0o600 });

  const postgres = postgresForTests();
  let databaseUrl: string | null = null;
  let dbName = '';
  if (database === 'postgres') {
    if (!postgres.available) {
      postgres.reportMissing();
      throw new Error('chaos: PostgreSQL is required for the replica run');
    }
    dbName = `gg_chaos_${process.pid}_${Date.now()}`;
    const admin = new pg.Client({ connectionString: postgres.url });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${dbName}`);
    await admin.end();
    const url = new URL(postgres.url);
    url.pathname = `/${dbName}`;
    databaseUrl = url.toString();
  }

  let bots: BotProcess[] = [];
  const balancer = await startLoadBalancer(() => bots.filter((b) => b.alive).map((b) => b.url));
  const env: Record<string, string> = {
    HOST: '127.0.0.1',
    PLAYGROUND: 'off',
    LOG_LEVEL: 'warn',
    PUBLIC_URL: balancer.url,
    GRAPH_SIMULATOR_CONNECTION_FILE: connectionFile,
    WORKER_POLL_INTERVAL_MS: '100',
    SWEEP_INTERVAL_MS: '3000',
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : { DATA_DIR: join(work, 'data') }),
  };
  bots = Array.from(
    { length: replicas },
    (_, i) =>
      new BotProcess(
        `bot-${i + 1}`,
        BASE_PORT + replicas * 3 + i,
        env,
        join(work, `bot-${i + 1}.log`),
      ),
  );
  try {
    for (const bot of bots) await bot.start();
    const alex = teamsUser('Alex Wilber', '00000000-0000-4000-8000-000000000020');
    for (const activity of botInstalledInTeam({
      from: alex,
      serviceUrl: connector.serviceUrl,
      bot: teamsBot(''),
    })) {
      await postActivity(`${bots[0]?.url}/api/messages`, activity);
    }
    await waitFor(
      'the baseline subscription',
      () => sim.directory.subscriptions().length === 1,
      60_000,
    );
    await sleep(2000);

    // Faults start only now: the baseline read is not what this run measures.
    sim.setFaults({
      duplicateNotifications: 0.3,
      dropNotifications: 0.1,
      delayNotificationsMs: 400,
      throttle429: 0.1,
      unavailable503: 0.1,
      retryAfterSeconds: 0.05,
    });

    const removals: Array<{ groupId: string; memberId: string }> = [];
    for (const group of loadGroups) {
      for (const memberId of sim.directory.members(group.id))
        removals.push({ groupId: group.id, memberId });
    }
    for (let i = removals.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [removals[i], removals[j]] = [
        removals[j] as (typeof removals)[number],
        removals[i] as (typeof removals)[number],
      ];
    }
    removals.length = REMOVALS;
    const crashAt = new Set(
      Array.from({ length: CRASHES }, (_, k) => Math.floor(((k + 1) * REMOVALS) / (CRASHES + 1))),
    );
    let crashes = 0;
    for (const [index, removal] of removals.entries()) {
      sim.directory.removeMember(
        removal.groupId,
        removal.memberId,
        '00000000-0000-4000-8000-000000000030',
      );
      if (crashAt.has(index)) {
        const victim = bots[crashes % bots.length] as BotProcess;
        await victim.kill();
        crashes++;
        await sleep(500 + random() * 1000);
        await victim.start();
      }
      if (index % 20 === 19) await sleep(400);
    }

    sim.setFaults({ throttle429: 0.1, unavailable503: 0.1, retryAfterSeconds: 0.05 });
    await waitFor(
      'every removal to reach Teams',
      () =>
        new Set(connector.posts().map((p) => /GG-(\d+) ·/.exec(JSON.stringify(p.card))?.[1]))
          .size >= REMOVALS,
      180_000,
    );
    await sleep(3000);
    for (const bot of bots) {
      const code = await bot.stop();
      if (code !== 0)
        throw new Error(`chaos: ${bot.name} did not stop cleanly on SIGTERM (exit ${code})`);
    }

    const driver: SqlDriver = databaseUrl
      ? await createPgDriver(databaseUrl)
      : await createPgliteDriver(join(work, 'data'));
    const { rows } = await driver.query<{ id: number; group_id: string; member_id: string }>(
      'SELECT id, group_id, member_id FROM gg_case',
    );
    await driver.close();

    const casesPerRemoval = new Map<string, number>();
    for (const row of rows) {
      const key = `${row.group_id}/${row.member_id}`;
      casesPerRemoval.set(key, (casesPerRemoval.get(key) ?? 0) + 1);
    }
    const cards = cardsPerCase(connector);
    const lost = removals.filter(
      (r) =>
        !casesPerRemoval.has(`${r.groupId}/${r.memberId}`) ||
        !rows.some(
          (c) => c.group_id === r.groupId && c.member_id === r.memberId && cards.has(Number(c.id)),
        ),
    ).length;
    return {
      removals: removals.length,
      cases: rows.length,
      lost,
      duplicateCases: [...casesPerRemoval.values()].reduce((sum, n) => sum + n - 1, 0),
      duplicateCards: [...cards.values()].reduce((sum, n) => sum + n - 1, 0),
      crashes,
      replicas,
    };
  } finally {
    await Promise.all(bots.map((b) => b.kill()));
    await balancer.stop();
    await connector.stop();
    await sim.stop();
    if (dbName) {
      const admin = new pg.Client({ connectionString: postgres.url });
      await admin.connect();
      await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
      await admin.end();
    }
    if (process.env.CHAOS_KEEP !== '1') rmSync(work, { recursive: true, force: true });
    else process.stderr.write(`chaos: kept ${work}\n`);
  }
}

async function main() {
  const started = Date.now();
  let failed = false;
  for (const [replicas, database] of [
    [1, 'embedded'],
    [2, 'postgres'],
  ] as const) {
    const r = await run(replicas, database);
    process.stdout.write(
      `chaos: removals=${r.removals} cases=${r.cases} lost=${r.lost} duplicate_cases=${r.duplicateCases} duplicate_cards=${r.duplicateCards} crashes=${r.crashes} replicas=${r.replicas}\n`,
    );
    if (
      r.lost !== 0 ||
      r.duplicateCases !== 0 ||
      r.duplicateCards > r.crashes ||
      r.cases !== r.removals
    )
      failed = true;
  }
  process.stderr.write(`chaos: finished in ${Math.round((Date.now() - started) / 1000)} s\n`);
  process.exitCode = failed ? 1 : 0;
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
});
