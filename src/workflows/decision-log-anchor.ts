import { sign, verify, type KeyObject } from 'node:crypto';
import { canonicalJson } from '../core/canonical-json.js';
import { verifyDecisionLog } from './decision-log.js';
import type { Store } from './ports/index.js';

/**
 * The head of the decision log's hash chain, signed with a key the database never sees. Whoever
 * can write the database can recompute every hash, but not this signature: records up to `seq`
 * must still hash to `headHash`.
 */
export interface DecisionLogAnchor {
  seq: number;
  headHash: string;
  signedAt: string;
  algorithm: 'Ed25519';
  /** Base64 Ed25519 signature over the canonical JSON of the other fields. */
  signature: string;
}

const signedPart = (a: Omit<DecisionLogAnchor, 'signature'>) =>
  Buffer.from(
    canonicalJson({
      seq: a.seq,
      headHash: a.headHash,
      signedAt: a.signedAt,
      algorithm: a.algorithm,
    }),
    'utf8',
  );

export function assertEd25519(key: KeyObject, setting: string): void {
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new Error(
      `${setting}: must be an Ed25519 key (got ${key.asymmetricKeyType ?? 'a secret key'})`,
    );
  }
}

/** Signs the head of an intact chain; refuses to vouch for a broken one. */
export async function signDecisionLogHead(
  store: Pick<Store, 'readDecisionLog'>,
  privateKey: KeyObject,
  now: Date,
): Promise<{ ok: true; anchor: DecisionLogAnchor } | { ok: false; problem: string }> {
  const verdict = await verifyDecisionLog(store);
  if (!verdict.ok) {
    return {
      ok: false,
      problem: `the chain is broken at record ${verdict.brokenSeq} (${verdict.problem}); nothing was signed`,
    };
  }
  const unsigned = {
    seq: verdict.records,
    headHash: verdict.headHash,
    signedAt: now.toISOString(),
    algorithm: 'Ed25519' as const,
  };
  return {
    ok: true,
    anchor: {
      ...unsigned,
      signature: sign(null, signedPart(unsigned), privateKey).toString('base64'),
    },
  };
}

export type AnchorVerdict =
  { ok: true; records: number; anchoredSeq: number } | { ok: false; problem: string };

/**
 * The chain intact and, up to the anchor's seq, the very chain that was signed. Records after
 * it are newer than the anchor and checked by the chain alone.
 */
export async function verifyAgainstAnchor(
  store: Pick<Store, 'readDecisionLog'>,
  anchor: unknown,
  publicKey: KeyObject,
): Promise<AnchorVerdict> {
  if (!isAnchor(anchor)) return { ok: false, problem: 'the anchor file is not a signed head' };
  let signatureOk: boolean;
  try {
    signatureOk = verify(
      null,
      signedPart(anchor),
      publicKey,
      Buffer.from(anchor.signature, 'base64'),
    );
  } catch {
    signatureOk = false;
  }
  if (!signatureOk) {
    return {
      ok: false,
      problem:
        'the anchor signature does not verify: the anchor was altered or signed with another key',
    };
  }
  const verdict = await verifyDecisionLog(store);
  if (!verdict.ok) {
    return { ok: false, problem: `record ${verdict.brokenSeq}: ${verdict.problem}` };
  }
  if (verdict.records < anchor.seq) {
    return {
      ok: false,
      problem: `the log holds ${verdict.records} records, fewer than the ${anchor.seq} the anchor signed (records were cut off)`,
    };
  }
  const [signed] = await store.readDecisionLog(anchor.seq - 1, 1);
  if (anchor.seq > 0 && signed?.hash !== anchor.headHash) {
    return {
      ok: false,
      problem: `record ${anchor.seq} does not hash to the signed head: the log was rewritten and its hashes recomputed`,
    };
  }
  return { ok: true, records: verdict.records, anchoredSeq: anchor.seq };
}

function isAnchor(value: unknown): value is DecisionLogAnchor {
  const a = value as Partial<DecisionLogAnchor> | null;
  return (
    typeof a === 'object' &&
    a !== null &&
    Number.isInteger(a.seq) &&
    (a.seq ?? -1) >= 0 &&
    typeof a.headHash === 'string' &&
    typeof a.signedAt === 'string' &&
    a.algorithm === 'Ed25519' &&
    typeof a.signature === 'string'
  );
}
