export const MAX_REASON_LENGTH = 500;

export type ReasonCheck = { ok: true; reason: string | null } | { ok: false; problem: string };

// Control and format characters (bidi overrides, zero-width) could forge lines in logs and cards.
const INVISIBLE = /[\p{Cc}\p{Cf}\u2028\u2029]+/gu;

/** The free-text reason from the card: plain, one line, bounded; empty means none given. */
export function cleanReason(raw: unknown): ReasonCheck {
  if (raw === undefined || raw === null) return { ok: true, reason: null };
  if (typeof raw !== 'string') return { ok: false, problem: 'The reason must be text.' };
  const reason = raw.replace(INVISIBLE, ' ').replace(/\s+/g, ' ').trim();
  if (reason.length > MAX_REASON_LENGTH) {
    return {
      ok: false,
      problem: `The reason is too long (${reason.length} characters, at most ${MAX_REASON_LENGTH}).`,
    };
  }
  return { ok: true, reason: reason === '' ? null : reason };
}
