import { inertText, MAX_INERT_LENGTH } from '../../../src/core/inert-text';

/**
 * Card text is Adaptive Card markdown, and Teams chat replies render markdown too
 * (learn.microsoft.com/microsoftteams/platform/task-modules-and-cards/cards/cards-format):
 * links, `<at>` mentions, `{{DATE()}}`, emphasis and lists all take effect unless defanged.
 */
describe('inertText', () => {
  const hostile: Array<[string, string, string]> = [
    [
      'a markdown link',
      '[Reset your MFA](https://evil.example/login)',
      '⁅Reset your MFA⁆(https[:]//evil[.]example/login)',
    ],
    ['a bare URL', 'see https://evil.example/x now', 'see https[:]//evil[.]example/x now'],
    ['a bare host name', 'Finance (evil.com)', 'Finance (evil[.]com)'],
    ['a mailto link', 'mailto:boss@contoso.com', 'mailto꞉boss@contoso[.]com'],
    ['a javascript: URL', 'javascript:alert(1)', 'javascript꞉alert(1)'],
    ['a scheme shaped into a link', 'ab:(https://e.vil)', 'ab꞉(https[:]//e[.]vil)'],
    ['a mention', '<at>Megan Bowen</at> approve now', '‹at›Megan Bowen‹/at› approve now'],
    ['an HTML link', '<a href="x">click</a>', '‹a href="x"›click‹/a›'],
    [
      'Teams date markup',
      '{{DATE(2026-01-01T00:00:00Z, SHORT)}}',
      '❴❴DATE(2026-01-01T00:00:00Z, SHORT)❵❵',
    ],
    ['template markup', '${$root.notice}', '$❴$root[.]notice❵'],
    ['bold', '**URGENT** restore', '∗∗URGENT∗∗ restore'],
    ['italic', '_quietly_', '＿quietly＿'],
    ['strike-through', '~~Tier 0~~', '∼∼Tier 0∼∼'],
    ['code', '`rm -rf`', 'ˋrm -rfˋ'],
    ['a heading', '# Restored by Alex Wilber', '＃ Restored by Alex Wilber'],
    ['a list', '- Approved', '‐ Approved'],
    ['a numbered list', '1. Approved', '1․ Approved'],
    ['a table', 'a | b', 'a ¦ b'],
    [
      'a newline forging a status line',
      'Adele\n\nRestored by Alex Wilber at 10:00',
      'Adele Restored by Alex Wilber at 10:00',
    ],
    ['CR, tab and line separators', 'a\r\nb\tc\u2028d\u2029e', 'a b c d e'],
    ['bidi overrides', 'Finance\u202Enimda\u202C Team', 'Financenimda Team'],
    ['bidi isolates and marks', '\u2066Tier 0\u2069\u200F\u061C', 'Tier 0'],
    ['zero-width characters', 'Ad\u200Bele\uFEFF', 'Adele'],
    ['control characters', 'a\u0000b\u001Bc\u007F', 'a b c'],
  ];

  it.each(hostile)('makes %s inert', (_what, raw, inert) => {
    expect(inertText(raw)).toBe(inert);
  });

  it('leaves ordinary names as they are', () => {
    for (const name of [
      'Adele Vance',
      'Tier 0 Admins',
      'Zoë O’Brien-Łukasz',
      '山田 太郎',
      'SecOps (EU)',
    ])
      expect(inertText(name)).toBe(name);
  });

  it('caps at 200 characters, counting characters rather than UTF-16 units', () => {
    expect(MAX_INERT_LENGTH).toBe(200);
    const long = inertText('😀'.repeat(300));
    expect(Array.from(long)).toHaveLength(200);
    expect(long.endsWith('…')).toBe(true);
    expect(inertText('x'.repeat(200))).toBe('x'.repeat(200));
    expect(inertText('a'.repeat(600), 500)).toHaveLength(500);
  });

  it('answers nothing with an empty string', () => {
    expect(inertText(null)).toBe('');
    expect(inertText(undefined)).toBe('');
    expect(inertText(' \n\u202E ')).toBe('');
  });
});
