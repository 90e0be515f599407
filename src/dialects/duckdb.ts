import { defineDialect, type Dialect } from './dialect.js';

/**
 * `exact`, unless the double `approximate` of it is beyond DECIMAL(38, 15)'s safe range (or NaN,
 * which compares above every number in DuckDB): then an error. NULL stays NULL.
 */
function withinExactRange(approximate: string, exact: string): string {
  return `case when abs(${approximate}) >= 1e23 then ${duckdb.fail("'a sum is beyond the range of exact sums on DuckDB, 1e23: see docs/semantics.md, Sums'")} else ${exact} end`;
}

// DuckDB: date_trunc('week') is already the ISO (Monday) week; quantile_cont is exact.
export const duckdb = defineDialect({
  name: 'duckdb',
  types: { double: 'double', bigint: 'bigint', integer: 'integer', text: 'varchar', timestamp: 'timestamp', boolean: 'boolean' },
  fail: (message) => `error(${message})`,
  // DuckDB writes a whole double as '1.0' where Postgres, BigQuery and Snowflake write '1': a class,
  // item or segment column of doubles (pandas writes integers with NULLs so) named other classes on
  // DuckDB than configured, and than on the other warehouses. typeof() is folded when the query is
  // bound: a text column is cast as before, at no cost.
  toText: (expr) => `case when typeof(${expr}) in ('DOUBLE', 'FLOAT') then regexp_replace(cast(${expr} as varchar), '\\.0$', '') else cast(${expr} as varchar) end`,
  hoursBetween: (start, end) => `(epoch_us(${end}) - epoch_us(${start})) / 3600000000.0`,
  // (generate_series is a list here, and a table function only of constants)
  windowSeries: (granularity, from, to) =>
    `(select unnest(generate_series(${from}, ${to}, interval '${granularity === 'week' ? '7 days' : `1 ${granularity}`}')) as window_start)`,
  // `/` on integers is a double in DuckDB.
  intDivide: (a, b) => `(${a}) // (${b})`,
  percentile: (expr, fraction) => `quantile_cont(${expr}, ${fraction})`,
  // DuckDB adds DECIMAL(38, 15) values in 128-bit integers, checked for overflow unless its statistics
  // say no sum can overflow; over a UNION ALL they undercount the rows: 9e22 + 9e22 from two one-row
  // tables summed to -1.6e23, with no error (DuckDB 1.5.6; test/warehouses/duckdb-adapter.test.ts).
  // A group of rows from one branch is safe (the branch's rows bound it): the sums whose groups take
  // rows from several branches, a forecast's MASE history and checkpoint (models/forecast/
  // mase_scales.sql), are checked against a double sum of the same addends instead, and beyond 1e23
  // fail the run saying why. The check costs little: at 20M rows in 1,000 groups, three checked sums
  // took 0.54-0.55 s against 0.52-0.56 s unchecked.
  exactSumOver: (expr, window) => withinExactRange(`sum(${expr}) over (${window})`, `sum(cast(${expr} as decimal(38, 15))) over (${window})`),
  addExactSums: (column) => withinExactRange(`sum(cast(${column} as double))`, `sum(${column})`),
  // One quantile_cont over a list of fractions keeps and sorts the values once; DuckDB computes the
  // identical aggregate behind each list element once. Three fractions over 46M values in 4,472
  // groups: 0.44x the CPU of three quantile_cont aggregates, with identical values.
  percentiles: (expr, fractions) => fractions.map((_, i) => `quantile_cont(${expr}, [${fractions.join(', ')}])[${i + 1}]`),
  createTempTable(this: Dialect, name: string, select: string) {
    return [`create or replace temporary table ${this.quote(name)} as\n${select}`];
  },
  // In time order: DuckDB skips row groups by their min/max, and an incremental run deletes the rows
  // from a recent time on. With rows of all times in every row group (a forecast's, whose target times
  // do not follow the order they are computed in), that delete touched every row group, and the
  // checkpoint after it rewrote them: 0.37-0.41 s of the forecast monitor's 1.2 s incremental run at 1M
  // (docs/performance.md). (`preserve_insertion_order` is off, but an ORDER BY is kept.)
  createTable: (relation, select, timeColumn) => [`create or replace table ${relation} as\n${select}${timeColumn ? `\norder by ${timeColumn}` : ''}`],
});
