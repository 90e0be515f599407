// --as-of: the ISO forms a scheduler or `git log --date=iso` writes, in UTC unless a zone is given;
// a date that does not exist is an error, not the day JavaScript's Date rolls it over to.
import { describe, expect, it } from 'vitest';
import { parseAsOf } from '../../src/cli/as-of.js';

describe('--as-of', () => {
  it.each([
    ['2026-11-21', '2026-11-21T00:00:00.000Z'],
    ['2024-02-29', '2024-02-29T00:00:00.000Z'],
    ['2026-11-21T06:00', '2026-11-21T06:00:00.000Z'],
    ['2026-11-21 06:00:00', '2026-11-21T06:00:00.000Z'],
    ['2026-11-21T06:00:00.123Z', '2026-11-21T06:00:00.123Z'],
    ['2026-11-21T06:00:00.123000Z', '2026-11-21T06:00:00.123Z'],
    ['2026-11-21T06:00:00+02:00', '2026-11-21T04:00:00.000Z'],
    ['2026-11-21T06:00:00-05:30', '2026-11-21T11:30:00.000Z'],
    ['2026-11-21 06:00:00 +0100', '2026-11-21T05:00:00.000Z'],
    ['0099-12-31', '0099-12-31T00:00:00.000Z'],
    ['2026-12-31T23:59:59.9Z', '2026-12-31T23:59:59.900Z'],
  ])('reads %s as %s', (text, iso) => {
    expect(parseAsOf(text).toISOString()).toBe(iso);
  });

  it.each(['2026-02-30', '2025-02-29', '2026-13-01', '2026', 'yesterday', '2026-11-21T24:00', '2026-11-21T06:60', '21/11/2026', '2026-11-21T06:00:00-99:99', '2026-11-21T06:00:00+25:00', '2026-11-21T06:00:00+01:75'])('rejects %s', (text) => {
    expect(() => parseAsOf(text)).toThrow(`--as-of "${text}" is not a date or date-time`);
  });

  // (an as-of cut to the millisecond left out an event between the two: no event was to be lost)
  it.each(['2026-11-21T06:00:00.1234567890Z', '2026-12-31T23:59:59.9996Z', '2024-03-05 00:00:00.123456'])('rejects %s, finer than a millisecond', (text) => {
    expect(() => parseAsOf(text)).toThrow(`--as-of "${text}" is finer than a millisecond; give at most 3 decimals of a second`);
  });

  it.each(['', ' '])('rejects %j, which a shell gives for `--as-of=` or an unset variable: it is not now', (text) => {
    expect(() => parseAsOf(text)).toThrow('--as-of needs a UTC date or date-time (e.g. 2026-11-21 or 2026-11-21T06:00:00Z); leave --as-of out to mean now');
  });

  it('is now, to the second, by default', () => {
    const before = Date.now();
    const asOf = parseAsOf(undefined).getTime();
    expect(asOf % 1000).toBe(0);
    expect(asOf).toBeGreaterThan(before - 1000);
    expect(asOf).toBeLessThanOrEqual(Date.now());
  });
});
