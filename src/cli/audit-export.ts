import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import { ConfigError } from '../config/config.js';
import { loadConfig } from '../config/load-config.js';
import { openStore } from '../store/open-store.js';

const USAGE = 'usage: npm run audit:export -- [--out <file>] [--after <seq>]';
const PAGE = 500;

/**
 * `npm run audit:export`: the decision log as JSON lines for a SIEM, oldest first, each with its
 * seq, prevHash and hash so the receiver can check the chain itself. `--after` exports only
 * records newer than a seq already shipped.
 */
async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { out: { type: 'string' }, after: { type: 'string', default: '0' } },
  });
  const after = Number(values.after);
  if (!Number.isInteger(after) || after < 0)
    throw new UsageError(`--after must be a seq number. ${USAGE}`);
  const store = await openStore(loadConfig());
  const out: Writable = values.out
    ? createWriteStream(values.out, { flags: 'wx' })
    : process.stdout;
  let count = 0;
  try {
    for (let seq = after; ;) {
      const page = await store.readDecisionLog(seq, PAGE);
      for (const record of page) {
        if (!out.write(`${JSON.stringify(record)}\n`)) await once(out, 'drain');
        seq = record.seq;
        count++;
      }
      if (page.length < PAGE) break;
    }
  } finally {
    await store.close();
    if (out !== process.stdout) {
      out.end();
      await once(out, 'finish');
    }
  }
  process.stderr.write(
    `exported ${count} decision log records${values.out ? ` to ${values.out}` : ''}\n`,
  );
  return 0;
}

class UsageError extends Error {}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(
      error instanceof ConfigError || error instanceof UsageError
        ? `${error.message}\n`
        : `audit:export failed: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exitCode = 2;
  },
);
