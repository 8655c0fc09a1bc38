import { createHash } from 'node:crypto';
import { canonicalJson } from '../core/canonical-json.js';
import type { DecisionLogEntry, DecisionRecord, Store } from './ports/index.js';

/** The `prevHash` of the first record. */
export const GENESIS_HASH = '0'.repeat(64);

/** SHA-256 over the canonical JSON of every field but `hash` itself, `seq` and `prevHash` included. */
export function hashDecisionRecord(
  record: DecisionLogEntry & { seq: number; prevHash: string },
): string {
  const hashed = {
    seq: record.seq,
    prevHash: record.prevHash,
    caseId: record.caseId,
    verb: record.verb,
    approverId: record.approverId,
    approverName: record.approverName,
    at: record.at,
    reason: record.reason,
    caseVersion: record.caseVersion,
    graphRequestId: record.graphRequestId,
    result: record.result,
    detail: record.detail,
  };
  return createHash('sha256').update(canonicalJson(hashed), 'utf8').digest('hex');
}

export type ChainVerdict =
  | { ok: true; records: number; headHash: string }
  | { ok: false; records: number; brokenSeq: number; problem: string };

const PAGE = 500;

/**
 * Walks the whole log and names the first record that does not fit: edited (hash), removed or
 * reordered (seq or prevHash). A cut-off tail is invisible here; compare the head hash with an
 * exported copy for that.
 */
export async function verifyDecisionLog(
  store: Pick<Store, 'readDecisionLog'>,
): Promise<ChainVerdict> {
  let prevHash = GENESIS_HASH;
  let expectedSeq = 1;
  for (;;) {
    const page = await store.readDecisionLog(expectedSeq - 1, PAGE);
    for (const record of page) {
      const broken = (problem: string): ChainVerdict => ({
        ok: false,
        records: expectedSeq - 1,
        brokenSeq: record.seq,
        problem,
      });
      if (record.seq !== expectedSeq) {
        return broken(`expected record ${expectedSeq} next, found ${record.seq} (records missing)`);
      }
      if (record.prevHash !== prevHash) {
        return broken('prevHash does not match the hash of the record before it');
      }
      if (hashDecisionRecord(record) !== record.hash) {
        return broken('contents do not match its hash (the record was changed)');
      }
      prevHash = record.hash;
      expectedSeq++;
    }
    if (page.length < PAGE) return { ok: true, records: expectedSeq - 1, headHash: prevHash };
  }
}

export type { DecisionRecord };
