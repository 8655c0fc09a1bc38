import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPgliteDriver } from '../../src/store/pglite-driver';
import { createSqlStore } from '../../src/store/sql-store';
import { GENESIS_HASH, hashDecisionRecord } from '../../src/workflows/decision-log';
import type { DecisionLogEntry } from '../../src/workflows/ports';

const ROOT = join(__dirname, '..', '..');

function npmRun(script: string, env: Record<string, string>, args: string[] = []) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      'npm',
      ['run', '--silent', script, ...(args.length ? ['--', ...args] : [])],
      { cwd: ROOT, env: { ...process.env, DATABASE_URL: '', ...env }, timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error ? Number((error as { code?: number }).code ?? 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

const entry = (i: number): DecisionLogEntry => ({
  caseId: 10 + i,
  verb: 'restore',
  approverId: '00000000-0000-4000-8000-000000000020',
  approverName: 'Alex Wilber',
  at: `2026-11-25T10:0${i}:00.000Z`,
  reason: null,
  caseVersion: 2,
  graphRequestId: null,
  result: i % 2 ? 'approved' : 'restored',
  detail: null,
});

/**
 * Someone who owns the database rewrites a decision and recomputes every hash after it, so the
 * chain alone verifies. The head `audit:export` signed with a key outside the database does not.
 */
describe('hostile store: a recomputed decision log against its signed head', () => {
  let work: string;
  let dataDir: string;
  let env: Record<string, string>;
  let anchorFile: string;

  const pem = () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    return {
      privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    };
  };

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'groupguard-anchor-'));
    dataDir = join(work, 'data');
    const keys = pem();
    writeFileSync(join(work, 'signing.pem'), keys.privateKey);
    writeFileSync(join(work, 'verify.pem'), keys.publicKey);
    writeFileSync(join(work, 'other.pem'), pem().publicKey);
    env = {
      DATA_DIR: dataDir,
      AUDIT_SIGNING_KEY_FILE: join(work, 'signing.pem'),
      AUDIT_VERIFY_KEY_FILE: join(work, 'verify.pem'),
    };
    const store = await createSqlStore(await createPgliteDriver(dataDir));
    for (let i = 1; i <= 5; i++) await store.appendDecisionLog(entry(i));
    await store.close();
    anchorFile = join(work, 'decisions.jsonl.anchor.json');
  }, 60_000);
  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('signs the head of an intact chain on export, and verifies against it', async () => {
    const exported = await npmRun('audit:export', env, ['--out', join(work, 'decisions.jsonl')]);
    expect(exported.code).toBe(0);
    expect(exported.stderr).toContain(`into ${anchorFile}`);
    const anchor = JSON.parse(readFileSync(anchorFile, 'utf8'));
    expect(anchor).toMatchObject({ seq: 5, algorithm: 'Ed25519' });
    expect(anchor.headHash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(anchor)).not.toContain('PRIVATE KEY');

    const verified = await npmRun('audit:verify', env, ['--anchor', anchorFile]);
    expect(verified).toMatchObject({
      code: 0,
      stdout: 'decision log intact: 5 records, the first 5 as signed\n',
    });
  }, 120_000);

  it('catches a record rewritten with every later hash recomputed, naming the reason', async () => {
    const driver = await createPgliteDriver(dataDir);
    await driver.query('ALTER TABLE decision_log DISABLE TRIGGER decision_log_no_change');
    await driver.query("UPDATE decision_log SET approver_name = 'Isaiah Langer' WHERE seq = 3");
    const store = await createSqlStore(driver);
    let prevHash = GENESIS_HASH;
    for (const record of await store.readDecisionLog(0, 100)) {
      const hash = hashDecisionRecord({ ...record, prevHash });
      await driver.query('UPDATE decision_log SET prev_hash = $2, hash = $3 WHERE seq = $1', [
        record.seq,
        prevHash,
        hash,
      ]);
      prevHash = hash;
    }
    await driver.close();

    // The chain alone is fooled: that is the attack.
    const plain = await npmRun('audit:verify', env);
    expect(plain.code).toBe(0);
    const anchored = await npmRun('audit:verify', env, ['--anchor', anchorFile]);
    expect(anchored.code).toBe(1);
    expect(anchored.stderr).toBe(
      'decision log does NOT match its signed head: record 5 does not hash to the signed head:' +
        ' the log was rewritten and its hashes recomputed\n',
    );
  }, 120_000);

  it('refuses an anchor edited to the new head, or checked with another key', async () => {
    const forgedFile = join(work, 'forged.anchor.json');
    const anchor = JSON.parse(readFileSync(anchorFile, 'utf8'));
    const driver = await createPgliteDriver(dataDir);
    const { rows } = await driver.query<{ hash: string }>(
      'SELECT hash FROM decision_log WHERE seq = 5',
    );
    await driver.close();
    writeFileSync(forgedFile, JSON.stringify({ ...anchor, headHash: rows[0]?.hash }));
    const forged = await npmRun('audit:verify', env, ['--anchor', forgedFile]);
    expect(forged.code).toBe(1);
    expect(forged.stderr).toContain(
      'the anchor signature does not verify: the anchor was altered or signed with another key',
    );

    const otherKey = await npmRun(
      'audit:verify',
      { ...env, AUDIT_VERIFY_KEY_FILE: join(work, 'other.pem') },
      ['--anchor', anchorFile],
    );
    expect(otherKey.code).toBe(1);
    expect(otherKey.stderr).toContain('the anchor signature does not verify');
  }, 120_000);

  it('refuses to sign a broken chain, and names a missing or wrong key setting', async () => {
    const driver = await createPgliteDriver(dataDir);
    await driver.query("UPDATE decision_log SET reason = 'edited' WHERE seq = 2");
    await driver.close();
    const broken = await npmRun('audit:export', env, ['--anchor', join(work, 'broken.json')]);
    expect(broken.code).toBe(1);
    expect(broken.stderr).toContain(
      'decision log head NOT signed: the chain is broken at record 2 (contents do not match its hash',
    );

    const noKey = await npmRun('audit:verify', { ...env, AUDIT_VERIFY_KEY_FILE: '' }, [
      '--anchor',
      anchorFile,
    ]);
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toContain('AUDIT_VERIFY_KEY_FILE: required to use --anchor');
    const publicAsPrivate = await npmRun(
      'audit:export',
      { ...env, AUDIT_SIGNING_KEY_FILE: join(work, 'verify.pem') },
      ['--anchor', join(work, 'never.json')],
    );
    expect(publicAsPrivate.code).toBe(2);
    expect(publicAsPrivate.stderr).toContain('AUDIT_SIGNING_KEY_FILE: not a readable PEM key');
  }, 120_000);
});
