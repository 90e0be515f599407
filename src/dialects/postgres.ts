import { defaultDialect, defineDialect, type Dialect } from './dialect.js';

// Postgres: date_trunc('week') is the ISO (Monday) week. Text ordering follows the database's
// locale unless told otherwise, so ties between segment values are ordered with the "C" collation.
export const postgres = defineDialect({
  name: 'postgres',
  types: { double: 'double precision', bigint: 'bigint', integer: 'integer', text: 'text', timestamp: 'timestamp', boolean: 'boolean' },
  // NAMEDATALEN - 1: a longer name is cut to its first 63 bytes, with a notice only
  maxIdentifierLength: 63,
  binaryCollate: (expr) => `${expr} collate "C"`,
  // The default frame with an ORDER BY is RANGE UNBOUNDED PRECEDING to CURRENT ROW, and Postgres
  // computes window functions in one pass only when their window clauses are identical: written out,
  // the frame split the rank() and count(*) of the exact ranking metrics into two passes over every
  // sliced row. Left implicit, the binary metric step took 9.86 s against 10.73 s at 1M
  // (docs/performance.md, the fourteenth session).
  peersFrame: '',
  // Exact sums as two bigint sums, of the whole units and of the fraction in 1e-15 units, which
  // Postgres accumulates in 128-bit integers: 3.5x faster than summing numeric(38, 15) in a
  // micro-benchmark (bench/prototypes/postgres-aggregate-micro.ts sums). Like femtoSum, the fraction is
  // scaled in double precision, so an addend can round to the neighbouring 1e-15 unit from where
  // numeric rounding would put it; the sum stays independent of row order. Addends must stay below
  // 9.2e18 in absolute value (numeric(38, 15) allowed 1e23).
  exactSum: (expr) => exactSumParts(expr, ''),
  exactSumOver: (expr, window) => exactSumParts(expr, ` over (${window})`),
  // Autovacuum never analyzes temporary tables, and analyzes a new table only later: without
  // statistics the planner guessed the regression metric step's joins at 1e5 predictions into plans
  // that took 114-135 s, against 4.1 s with every session table analyzed (docs/performance.md).
  // ANALYZE reads a sample of at most 30,000 rows, and runs inside the run's transaction.
  createTempTable(this: Dialect, name: string, select: string) {
    return [...defaultDialect.createTempTable.call(this, name, select), `analyze ${this.quote(name)}`];
  },
  // Without an index, every statement that reads or replaces one monitor's rows of hindsight_metrics
  // (the write step's delete and update, the data-quality step's stored days) scans every monitor's
  // rows of every run (docs/performance.md, the twenty-third session).
  createIndex(this: Dialect, table: string, name: string, columns: string[]) {
    return [`create index if not exists ${this.quote(name)} on ${table} (${columns.map((c) => this.quote(c)).join(', ')})`];
  },
  createTable(this: Dialect, relation: string, select: string) {
    return [...defaultDialect.createTable.call(this, relation, select), `analyze ${relation}`];
  },
});

/** sum(whole units) + sum(1e-15 units of the fraction) / 1e15, as numeric (the product is exact). */
function exactSumParts(expr: string, over: string): string {
  const whole = `trunc(${expr})`;
  return `(sum(cast(${whole} as bigint))${over} + sum(cast(round((${expr} - ${whole}) * 1e15) as bigint))${over} * 0.000000000000001)`;
}
