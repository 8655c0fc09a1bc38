import { cleanReason, MAX_REASON_LENGTH } from '../../../src/core/decision-reason';

describe('cleanReason', () => {
  it('treats a missing or blank reason as none given', () => {
    expect(cleanReason(undefined)).toEqual({ ok: true, reason: null });
    expect(cleanReason(null)).toEqual({ ok: true, reason: null });
    expect(cleanReason(' \n\t ')).toEqual({ ok: true, reason: null });
  });

  it('keeps the words and drops control and format characters that could forge log lines', () => {
    expect(cleanReason('on call\r\nFAKE LOG LINE\u0007 \u202eevil\u200b  here')).toEqual({
      ok: true,
      reason: 'on call FAKE LOG LINE evil here',
    });
  });

  it('refuses what is not text, and text longer than the bound', () => {
    expect(cleanReason(42)).toEqual({ ok: false, problem: 'The reason must be text.' });
    expect(cleanReason({ toString: 'x' })).toMatchObject({ ok: false });
    expect(cleanReason('a'.repeat(MAX_REASON_LENGTH))).toMatchObject({ ok: true });
    expect(cleanReason('a'.repeat(MAX_REASON_LENGTH + 1))).toEqual({
      ok: false,
      problem: 'The reason is too long (501 characters, at most 500).',
    });
  });
});
