// windowStart in TypeScript (the incremental range's windows) against the dialects' date_trunc.
import { describe, expect, it } from 'vitest';
import { windowStart } from '../../src/config/windows.js';

describe('windowStart', () => {
  it('keeps years 0-99 (Date.UTC reads them as 1900-1999)', () => {
    // 0001-01-01 is a Monday in the proleptic Gregorian calendar that DuckDB and Postgres use
    const at = new Date('0001-01-01T10:00:00Z');
    expect(['day', 'week', 'month'].map((g) => windowStart(g as 'day', at).toISOString())).toEqual(['0001-01-01T00:00:00.000Z', '0001-01-01T00:00:00.000Z', '0001-01-01T00:00:00.000Z']);
    expect(windowStart('week', new Date('0099-12-31T23:59:59.999Z')).toISOString()).toBe('0099-12-28T00:00:00.000Z');
  });

  it('starts ISO weeks on Monday, months on the 1st, at midnight UTC', () => {
    expect(windowStart('week', new Date('2026-03-01T23:59:59.999Z')).toISOString()).toBe('2026-02-23T00:00:00.000Z');
    expect(windowStart('week', new Date('2026-03-02T00:00:00Z')).toISOString()).toBe('2026-03-02T00:00:00.000Z');
    expect(windowStart('month', new Date('2026-02-28T12:00:00Z')).toISOString()).toBe('2026-02-01T00:00:00.000Z');
    expect(windowStart('day', new Date('2026-02-28T00:00:00Z')).toISOString()).toBe('2026-02-28T00:00:00.000Z');
  });
});
