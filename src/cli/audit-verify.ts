import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ConfigError } from '../config/config.js';
import { loadConfig } from '../config/load-config.js';
import { openStore } from '../store/open-store.js';
import { verifyDecisionLog } from '../workflows/decision-log.js';
import { verifyAgainstAnchor } from '../workflows/decision-log-anchor.js';
import { readAuditKey } from './read-audit-key.js';

/**
 * `npm run audit:verify`: checks the decision log's hash chain in the store the app's settings
 * name (DATABASE_URL, else DATA_DIR). Exit 0 intact, 1 broken (naming the first bad record),
 * 2 bad settings. `--anchor <file>` also checks the chain against a head `audit:export` signed,
 * with the public key in AUDIT_VERIFY_KEY_FILE. Stop GroupGuard first when it uses the
 * embedded store: PGlite is one process.
 */
async function main(): Promise<number> {
  const { values } = parseArgs({ options: { anchor: { type: 'string' } } });
  const config = loadConfig();
  const anchored = values.anchor
    ? {
        key: readAuditKey(config.audit.verifyKeyFile, 'AUDIT_VERIFY_KEY_FILE'),
        anchor: readAnchor(values.anchor),
      }
    : null;
  const store = await openStore(config);
  try {
    if (anchored) {
      const verdict = await verifyAgainstAnchor(store, anchored.anchor, anchored.key);
      if (verdict.ok) {
        process.stdout.write(
          `decision log intact: ${verdict.records} records, the first ${verdict.anchoredSeq} as signed\n`,
        );
        return 0;
      }
      process.stderr.write(`decision log does NOT match its signed head: ${verdict.problem}\n`);
      return 1;
    }
    const verdict = await verifyDecisionLog(store);
    if (verdict.ok) {
      process.stdout.write(
        `decision log intact: ${verdict.records} records, head hash ${verdict.headHash}\n`,
      );
      return 0;
    }
    process.stderr.write(
      `decision log BROKEN at record ${verdict.brokenSeq}: ${verdict.problem}` +
        ` (the ${verdict.records} records before it are intact)\n`,
    );
    return 1;
  } finally {
    await store.close();
  }
}

function readAnchor(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ConfigError([
      `--anchor: not a readable anchor file (${file}): ${error instanceof Error ? error.message : String(error)}`,
    ]);
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(
      error instanceof ConfigError
        ? `${error.message}\n`
        : `audit:verify failed: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exitCode = 2;
  },
);
