import { ConfigError } from '../config/config.js';
import { loadConfig } from '../config/load-config.js';
import { openStore } from '../store/open-store.js';
import { verifyDecisionLog } from '../workflows/decision-log.js';

/**
 * `npm run audit:verify`: checks the decision log's hash chain in the store the app's settings
 * name (DATABASE_URL, else DATA_DIR). Exit 0 intact, 1 broken (naming the first bad record),
 * 2 bad settings. Stop GroupGuard first when it uses the embedded store: PGlite is one process.
 */
async function main(): Promise<number> {
  const store = await openStore(loadConfig());
  try {
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
