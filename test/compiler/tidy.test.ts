// The whitespace tidy of compiled SQL is a line-by-line rewrite of a multiline regex (for speed);
// it must give the same bytes, or compiled SQL and the golden files would change.
import { describe, expect, it } from 'vitest';
import { tidy } from '../../src/compiler/compile.js';

const byRegex = (sql: string) => sql.replace(/[ \t]+$/gm, '').replace(/\n{3,}/g, '\n\n').trim() + '\n';

describe('tidy', () => {
  it('removes trailing spaces and tabs before any line break, keeps other whitespace, collapses blank lines', () => {
    expect(tidy('select 1  \n\n\n\nfrom t\t \r\n  where x = 1 \u00a0\n  and y = 2 \u00a0 \n')).toBe('select 1\n\nfrom t\r\n  where x = 1 \u00a0\n  and y = 2\n');
  });

  it('equals the multiline regex on random text', () => {
    const alphabet = ['a', ' ', '\t', '\n', '\n', '\r', '\u00a0', '\u2028', ';', "'"];
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let n = 0; n < 2000; n++) {
      const text = Array.from({ length: Math.floor(next() * 60) }, () => alphabet[Math.floor(next() * alphabet.length)]).join('');
      expect(tidy(text)).toBe(byRegex(text));
    }
  });
});
