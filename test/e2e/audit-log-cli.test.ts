import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPgliteDriver } from '../../src/store/pglite-driver';
import { createSqlStore } from '../../src/store/sql-store';
import { hashDecisionRecord } from '../../src/workflows/decision-log';
import type { DecisionLogEntry, DecisionRecord } from '../../src/workflows/ports';

const ROOT = join(__dirname, '..', '..');

/** Runs an npm script the way an operator does, against the store in `dataDir`. */
function npmRun(script: string, dataDir: string, args: string[] = []) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      'npm',
      ['run', '--silent', script, ...(args.length ? ['--', ...args] : [])],
      { cwd: ROOT, env: { ...process.env, DATA_DIR: dataDir, DATABASE_URL: '' }, timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error ? Number((error as { code?: number }).code ?? 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

const entry = (i: number): DecisionLogEntry => ({
  caseId: 10 + i,
  verb: i % 2 ? 'approve' : 'restore',
  approverId: '00000000-0000-4000-8000-000000000020',
  approverName: 'Alex Wilber',
  at: `2026-11-25T10:0${i}:00.000Z`,
  reason: i === 2 ? 'on call tonight, "quoted" ünïcode' : null,
  caseVersion: 2,
  graphRequestId: i % 2 ? null : `7f0e9a52-0000-4000-8000-00000000000${i}`,
  result: i % 2 ? 'approved' : 'restored',
  detail: null,
});

describe('npm run audit:verify and audit:export', () => {
  let dataDir: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'groupguard-audit-'));
    const store = await createSqlStore(await createPgliteDriver(dataDir));
    for (let i = 1; i <= 5; i++) await store.appendDecisionLog(entry(i));
    await store.close();
  });
  afterAll(() => {
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('reports an intact chain with exit code 0', async () => {
    const result = await npmRun('audit:verify', dataDir);
    expect(result).toMatchObject({ code: 0 });
    expect(result.stdout).toMatch(/^decision log intact: 5 records, head hash [0-9a-f]{64}\n$/);
  }, 60_000);

  it('exports JSON lines a SIEM can check by itself, all of them or only the newer ones', async () => {
    const file = join(dataDir, 'decisions.jsonl');
    const all = await npmRun('audit:export', dataDir, ['--out', file]);
    expect(all.code).toBe(0);
    expect(all.stderr).toContain(`exported 5 decision log records to ${file}`);
    const records = readFileSync(file, 'utf8')
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as DecisionRecord);
    expect(records.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(records[1]).toMatchObject({ ...entry(2), seq: 2, prevHash: records[0]?.hash });
    for (const record of records) expect(hashDecisionRecord(record)).toBe(record.hash);

    const newer = await npmRun('audit:export', dataDir, ['--after', '3']);
    expect(
      newer.stdout
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l).seq),
    ).toEqual([4, 5]);
    expect((await npmRun('audit:export', dataDir, ['--after', 'x'])).code).toBe(2);
  }, 60_000);

  it('names the first record changed behind its back, with exit code 1', async () => {
    const driver = await createPgliteDriver(dataDir);
    // What someone with owner rights on the database can do: the trigger is no obstacle.
    await driver.query('ALTER TABLE decision_log DISABLE TRIGGER decision_log_no_change');
    await driver.query("UPDATE decision_log SET approver_name = 'Isaiah Langer' WHERE seq = 3");
    await driver.close();

    const result = await npmRun('audit:verify', dataDir);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      'decision log BROKEN at record 3: contents do not match its hash (the record was changed)' +
        ' (the 2 records before it are intact)\n',
    );
  }, 60_000);

  it('refuses bad settings with exit code 2, naming them', async () => {
    const result = await new Promise<{ code: number; stderr: string }>((resolve) => {
      execFile(
        'npm',
        ['run', '--silent', 'audit:verify'],
        { cwd: ROOT, env: { ...process.env, DATA_DIR: dataDir, DATABASE_URL: 'mysql://x' } },
        (error, _stdout, stderr) =>
          resolve({ code: Number((error as { code?: number } | null)?.code ?? 0), stderr }),
      );
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('DATABASE_URL');
  }, 60_000);
});
