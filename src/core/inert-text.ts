/** How long a name or other outside string may be on a card or in a reply. */
export const MAX_INERT_LENGTH = 200;

// Bidi embeddings, overrides and isolates, marks, zero-width and other format characters.
const FORMAT = /[\p{Cf}]/gu;
// Control characters and line/paragraph separators: a newline could forge a status line.
const BREAKS = /[\p{Cc}\u2028\u2029\s]+/gu;
const SCHEME = /\b([a-z][a-z0-9+.-]{1,20}):(\/\/|(?=[^\s]))/gi;
// A dot between a letter or digit and two letters: a host name Teams would link ("evil.com").
const HOST_DOT = /([\p{L}\p{N}])\.(?=\p{L}{2})/gu;
const LOOKALIKE: Record<string, string> = {
  '<': '‹',
  '>': '›',
  '*': '∗',
  _: '＿',
  '~': '∼',
  '`': 'ˋ',
  '[': '⁅',
  ']': '⁆',
  '{': '❴',
  '}': '❵',
  '|': '¦',
  '#': '＃',
};
const MARKUP = /[<>*_~`[\]{}|#]/g;

/**
 * Text from the directory, from Graph or from people, made inert for a Teams card or reply:
 * one line, no bidi or invisible characters, no links (schemes and host names defanged), no
 * mentions (`<at>`), no `{{DATE()}}` or template markup, no markdown emphasis, lists or tables,
 * at most `max` characters. Markup characters become look-alikes, so the text stays readable.
 */
export function inertText(raw: string | null | undefined, max = MAX_INERT_LENGTH): string {
  if (raw == null) return '';
  const text = String(raw)
    .normalize('NFC')
    .replace(FORMAT, '')
    .replace(BREAKS, ' ')
    .trim()
    .replace(MARKUP, (c) => LOOKALIKE[c] ?? c)
    // "[:]" only before "//": "x[:](y)" would itself be a markdown link.
    .replace(SCHEME, (_match, scheme: string, slashes: string) =>
      slashes ? `${scheme}[:]//` : `${scheme}꞉`,
    )
    .replace(HOST_DOT, '$1[.]')
    // At the start of a text block, "- ", "+ " and "1. " render as lists.
    .replace(/^-(?=\s)/, '‐')
    .replace(/^\+(?=\s)/, '＋')
    .replace(/^(\d+)\.(?=\s)/, '$1․');
  const chars = Array.from(text);
  return chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : text;
}
