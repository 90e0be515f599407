import type { Granularity } from '../config/schema.js';
import { dayBoundedTimeFilter, defineDialect, type Dialect } from './dialect.js';

// BigQuery (GoogleSQL). Timestamps are TIMESTAMP, which BigQuery truncates and converts in UTC
// unless told otherwise. Strings already compare byte by byte, so binaryCollate is the default.
// Permanent-table DDL cannot run inside a multi-statement transaction (only CREATE/DROP TEMP TABLE
// can), so the write step replaces rows of tables created beforehand (see models/write.sql).

const TRUNC_PART: Record<Granularity, string> = { day: 'day', week: 'isoweek', month: 'month' };

export const bigquery: Dialect = defineDialect({
  name: 'bigquery',
  capabilities: { transactionalDdl: false, textTimestamps: true, aggregatePercentile: false, havingSeesAliases: true, reusesCommonTableExpressions: false },
  types: { double: 'float64', bigint: 'int64', integer: 'int64', text: 'string', timestamp: 'timestamp', boolean: 'bool' },
  fail: (message) => `error(${message})`,
  // Quoted identifiers escape with a backslash, not by doubling.
  quote: (id) => `\`${id.replace(/[\\`]/g, (c) => `\\${c}`)}\``,
  // '' is not an escaped quote in GoogleSQL: backslash escapes are.
  string: (value) => `'${value.replace(/[\\'\n\r]/g, (c) => ({ '\\': '\\\\', "'": "\\'", '\n': '\\n', '\r': '\\r' })[c]!)}'`,
  windowStart: (granularity, expr) => `timestamp_trunc(${expr}, ${TRUNC_PART[granularity]})`,
  // GoogleSQL compares no DATE or DATETIME with a TIMESTAMP, and prunes partitions only by the
  // column against a constant: the column is bounded by days, as a string literal it coerces.
  timeFilter(this: Dialect, column: string, op: '<' | '<=' | '>' | '>=', at: Date, text?: boolean) {
    return dayBoundedTimeFilter(this, column, op, at, text);
  },
  // TIMESTAMP_ADD has no MONTH; a window start is midnight UTC, so whole dates are exact.
  windowEnd: (granularity, expr) =>
    granularity === 'month'
      ? `timestamp(date_add(date(${expr}), interval 1 month))`
      : `timestamp_add(${expr}, interval ${granularity === 'week' ? 7 : 1} day)`,
  // (a timestamp array steps by a day at most: the dates' array, whose days are UTC's)
  windowSeries: (granularity, from, to) =>
    `(select timestamp(day) as window_start from unnest(generate_date_array(date(${from}), date(${to}), interval 1 ${granularity})) as day)`,
  addSeconds: (expr, seconds) =>
    seconds < 0 ? `timestamp_sub(${expr}, interval ${-seconds} second)` : `timestamp_add(${expr}, interval ${seconds} second)`,
  // INT64 / INT64 is FLOAT64 in BigQuery.
  hoursBetween: (start, end) => `timestamp_diff(${end}, ${start}, microsecond) / 3600000000`,
  divide(this: Dialect, a: string, b: string) {
    return `safe_divide(${this.toDouble(a)}, ${b})`;
  },
  intDivide: (a, b) => `div(${a}, ${b})`,
  // NUMERIC has only 9 decimals; BIGNUMERIC keeps 38, summed exactly in any row order.
  exactSum: (expr) => `sum(cast(${expr} as bignumeric))`,
  // SUM(INT64) raises on overflow instead of widening.
  femtoSum: (expr) => `sum(cast(round((${expr}) * 1e15) as bignumeric))`,
  // PERCENTILE_CONT is only an analytic function in BigQuery (exact, linear interpolation, NULLs
  // ignored): macros/percentiles.sql computes it over the group's partition and takes max().
  percentileOver: (expr, fraction, partitionBy) => `percentile_cont(${expr}, ${fraction}) over (partition by ${partitionBy})`,
  // As an aggregate, for templates that cannot (none of hindsight's own: its array of the group's
  // values is one row, which BigQuery limits to 100 MB, some ten million values): the sorted non-NULL
  // values and linear interpolation between the two closest ranks around 0-based position
  // p = f * (n - 1). With no values, p < 0 and SAFE_OFFSET gives NULL.
  percentile(expr: string, fraction: number) {
    const sorted = `array_agg(${expr} ignore nulls order by ${expr})`;
    const p = `${fraction} * (count(${expr}) - 1)`;
    const at = (rank: string) => `${sorted}[safe_offset(cast(${rank}(${p}) as int64))]`;
    return `${at('floor')} + (${at('ceil')} - ${at('floor')}) * (${p} - floor(${p}))`;
  },
  // Temp tables live in the script's session; they cannot be schema-qualified.
  // BigQuery bills by bytes scanned: day partitions on the time column let a BI query of recent
  // windows (and hindsight's own deletes) prune, and clustering narrows a monitor's or metric's rows.
  tableLayout: (timeColumn, clusterBy) => `partition by timestamp_trunc(${timeColumn}, day)${clusterBy.length ? `\ncluster by ${clusterBy.join(', ')}` : ''}`,
  createTempTable(this: Dialect, name: string, select: string) {
    return [`create or replace temp table ${this.quote(name)} as\n${select}`];
  },
});
