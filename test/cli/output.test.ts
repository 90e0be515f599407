// How `hindsight show` writes a number: four decimals (one from 100 on), a tiny negative not as
// "-0.0000", and an approximate value's error bound with two significant digits, a zero bound as 0.
import { describe, expect, it } from 'vitest';
import { formatNumber } from '../../src/cli/output.js';
import { withBound } from '../../src/cli/show.js';

describe('show numbers', () => {
  it('writes four decimals, one from 100 on, and integers as they are', () => {
    expect([formatNumber(0.73781), formatNumber(-0.5), formatNumber(123.456), formatNumber(42), formatNumber(null)]).toEqual(['0.7378', '-0.5000', '123.5', '42', '—']);
  });

  // (a sum's rounding just below 0 was shown "-0.0000")
  it('writes a negative that rounds to zero without its sign', () => {
    expect([formatNumber(-1e-17), formatNumber(-0.00004), formatNumber(-0.00005)]).toEqual(['0.0000', '0.0000', '-0.0001']);
  });

  // (a bound of 0, every score in its own bin, was shown "±0.0")
  it('writes an error bound with two significant digits, and 0 as 0', () => {
    expect([withBound(0.7378, 0.0048123), withBound(0.7378, 0), withBound(0.7378, null)]).toEqual(['0.7378 ±0.0048', '0.7378 ±0', '0.7378']);
  });
});
