import { createWriteStream, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import { ConfigError } from '../config/config.js';
import { loadConfig } from '../config/load-config.js';
import { openStore } from '../store/open-store.js';
import { signDecisionLogHead } from '../workflows/decision-log-anchor.js';
import { readAuditKey } from './read-audit-key.js';

const USAGE = 'usage: npm run audit:export -- [--out <file>] [--after <seq>] [--anchor <file>]';
const PAGE = 500;

/**
 * `npm run audit:export`: the decision log as JSON lines for a SIEM, oldest first, each with its
 * seq, prevHash and hash so the receiver can check the chain itself. `--after` exports only
 * records newer than a seq already shipped. With AUDIT_SIGNING_KEY_FILE, the head of the chain
 * is signed into the anchor file (`--anchor`, default `<out>.anchor.json`), which
 * `audit:verify --anchor` checks later against a rewritten database.
 */
async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      out: { type: 'string' },
      after: { type: 'string', default: '0' },
      anchor: { type: 'string' },
    },
  });
  const after = Number(values.after);
  if (!Number.isInteger(after) || after < 0)
    throw new UsageError(`--after must be a seq number. ${USAGE}`);
  const config = loadConfig();
  const anchorFile =
    values.anchor ??
    (config.audit.signingKeyFile && values.out ? `${values.out}.anchor.json` : null);
  const signingKey =
    anchorFile || config.audit.signingKeyFile
      ? readAuditKey(config.audit.signingKeyFile, 'AUDIT_SIGNING_KEY_FILE')
      : null;
  if (signingKey && !anchorFile) {
    throw new UsageError(`--anchor <file> is needed to sign an export to stdout. ${USAGE}`);
  }
  const store = await openStore(config);
  const out: Writable = values.out
    ? createWriteStream(values.out, { flags: 'wx' })
    : process.stdout;
  let count = 0;
  let signed: Awaited<ReturnType<typeof signDecisionLogHead>> | null = null;
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
    if (signingKey) signed = await signDecisionLogHead(store, signingKey, new Date());
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
  if (!signed) return 0;
  if (!signed.ok) {
    process.stderr.write(`decision log head NOT signed: ${signed.problem}\n`);
    return 1;
  }
  writeFileSync(anchorFile as string, `${JSON.stringify(signed.anchor, null, 2)}\n`, {
    flag: 'wx',
  });
  process.stderr.write(
    `signed the head (record ${signed.anchor.seq}, hash ${signed.anchor.headHash}) into ${anchorFile}\n`,
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
