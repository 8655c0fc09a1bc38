import type { Actor, Case, CaseVerb, RestoreRequest } from '../../core/case.js';

export interface CaseUpdate {
  status: Case['status'];
  decision: Case['decision'];
  lastError: string | null;
  /** Left as stored when omitted. */
  restoreRequest?: RestoreRequest | null;
  actor?: Actor | null;
  /** Appended to the decision log in the same transaction, only when the update wins. */
  log?: DecisionLogEntry;
}

export type DecisionResult =
  | 'approved'
  | 'restore-requested'
  | 'approval-requested'
  | 'restore-cancelled'
  /** The case moved to `restoring`: who restores what, written before Graph is called. */
  | 'restore-claimed'
  | 'restored'
  | 'restore-failed'
  | 'refused';

/** One decision or refused attempt, as the append-only decision log keeps it. */
export interface DecisionLogEntry {
  caseId: number;
  verb: CaseVerb;
  approverId: string;
  approverName: string;
  at: string;
  reason: string | null;
  /** The case version this entry produced (or, for a refusal, the version it saw). */
  caseVersion: number;
  graphRequestId: string | null;
  result: DecisionResult;
  /** Why it was refused or failed. */
  detail: string | null;
}

/** A log entry with its place in the hash chain: `hash` covers every other field. */
export interface DecisionRecord extends DecisionLogEntry {
  seq: number;
  prevHash: string;
  hash: string;
}

/** Cases as decisions see them: every change a compare-and-set on the version. */
export interface CaseStore {
  getCase(id: number): Promise<Case | null>;
  listCases(filter: { status?: Case['status']; limit: number }): Promise<Case[]>;
  /** Returns the updated case, or null when the version moved. Enqueues a card update. */
  updateCase(id: number, expectedVersion: number, update: CaseUpdate): Promise<Case | null>;
}

/** The hash-chained, append-only decision log. */
export interface DecisionLog {
  /** Appends are serialized across processes. */
  appendDecisionLog(entry: DecisionLogEntry): Promise<DecisionRecord>;
  /** Records with `seq` greater than `afterSeq`, oldest first. */
  readDecisionLog(afterSeq: number, limit: number): Promise<DecisionRecord[]>;
  /** One case's records, oldest first. */
  readCaseDecisions(caseId: number): Promise<DecisionRecord[]>;
}

export class CaseNotFoundError extends Error {
  override name = 'CaseNotFoundError';
}
