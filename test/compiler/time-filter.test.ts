// A source's time column against an instant (Dialect.timeFilter), as BigQuery and Snowflake render
// it: bounded by days with a string literal (partitions prune by it), a day wider on each side for
// ISO text, whose local date an offset moves by up to a day; then compared exactly.
import { describe, expect, it } from 'vitest';
import { bigquery } from '../../src/dialects/bigquery.js';
import { snowflake } from '../../src/dialects/snowflake.js';

const at = new Date('2026-11-13T12:00:00Z');

describe('timeFilter', () => {
  it('bounds a BigQuery column by the instant\'s day, and a text one by the days around it', () => {
    expect(bigquery.timeFilter('`ts`', '>=', at)).toBe("`ts` >= '2026-11-13' and cast(`ts` as timestamp) >= timestamp '2026-11-13 12:00:00'");
    expect(bigquery.timeFilter('`ts`', '<=', at)).toBe("`ts` < '2026-11-14' and cast(`ts` as timestamp) <= timestamp '2026-11-13 12:00:00'");
    expect(bigquery.timeFilter('`ts`', '>', at, true)).toBe("`ts` >= '2026-11-12' and cast(`ts` as timestamp) > timestamp '2026-11-13 12:00:00'");
    expect(bigquery.timeFilter('`ts`', '<', at, true)).toBe("`ts` < '2026-11-15' and cast(`ts` as timestamp) < timestamp '2026-11-13 12:00:00'");
  });

  it('compares a Snowflake date or timestamp column with the literal, and bounds a text one by days as text', () => {
    expect(snowflake.timeFilter('ts', '<=', at)).toBe("ts <= '2026-11-13 12:00:00'::timestamp_ntz");
    expect(snowflake.timeFilter('ts', '>=', at, true)).toBe("ts >= '2026-11-12' and cast(convert_timezone('UTC', cast(ts as timestamp_tz)) as timestamp_ntz) >= '2026-11-13 12:00:00'::timestamp_ntz");
    expect(snowflake.timeFilter('ts', '<=', at, true)).toBe("ts < '2026-11-15' and cast(convert_timezone('UTC', cast(ts as timestamp_tz)) as timestamp_ntz) <= '2026-11-13 12:00:00'::timestamp_ntz");
  });

  it('compares exactly alone where the day bound would fall before year 1 or after 9999', () => {
    const first = new Date(new Date(0).setUTCFullYear(1, 0, 1));
    const last = new Date(new Date(0).setUTCFullYear(9999, 11, 31));
    expect(bigquery.timeFilter('`ts`', '>=', first)).toMatch(/^`ts` >= '0001-01-01' and /);
    expect(bigquery.timeFilter('`ts`', '>=', first, true)).toBe("cast(`ts` as timestamp) >= timestamp '0001-01-01 00:00:00'");
    expect(bigquery.timeFilter('`ts`', '<=', last)).toBe("cast(`ts` as timestamp) <= timestamp '9999-12-31 00:00:00'");
    expect(bigquery.timeFilter('`ts`', '<=', new Date(last.getTime() - 86_400_000))).toMatch(/^`ts` < '9999-12-31' and /);
    expect(bigquery.timeFilter('`ts`', '<=', new Date(last.getTime() - 86_400_000), true)).toMatch(/^cast/);
  });
});
