// The whitespace tidy of compiled SQL is a line-by-line rewrite of a multiline regex (for speed);
// it must give the same bytes, or compiled SQL and the golden files would change.
import { describe, expect, it } from 'vitest';
import { tidy } from '../../src/compiler/compile.js';

const byRegex = (sql: string) => sql.replace(/[ \t]+$/gm, '').replace(/\n{3,}/g, '\n\n').trim() + '\n';

describe('tidy', () => {
  it('removes trailing spaces and tabs before any line break, keeps other whitespace, collapses blank lines', () => {
    expect(tidy('select 1  \n\n\n\nfrom t\t \r\n  where x = 1 \u00a0\n  and y = 2 \u00a0 \n')).toBe('select 1\n\nfrom t\r\n  where x = 1 \u00a0\n  and y = 2\n');
  });

  // With \r or \u2028 in the text tidy takes another path than with \n alone: both are tried.
  it.each([
    ['with every line break', ['a', ' ', '\t', '\n', '\n', '\r', '\u00a0', '\u2028', ';', "'"]],
    ['with \\n only', ['a', ' ', ' ', '\t', '\n', '\n', '\n', '\u00a0', ';']],
  ])('equals the multiline regex on random text %s', (_, alphabet) => {
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let n = 0; n < 4000; n++) {
      const text = Array.from({ length: Math.floor(next() * 80) }, () => alphabet[Math.floor(next() * alphabet.length)]).join('');
      expect(tidy(text)).toBe(byRegex(text));
    }
  });
});
