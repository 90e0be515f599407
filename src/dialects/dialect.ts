// A dialect renders SQL for one warehouse: quoting, literals, type names and the few functions that
// differ. It is pure and offline (no driver). Each warehouse overrides only what differs from
// `defaultDialect`; templates reach everything through `dispatch`, which says what it tried.
import type { Granularity } from '../config/schema.js';

export interface Capabilities {
  /** DDL (create/drop table) can be rolled back with the surrounding transaction. */
  transactionalDdl: boolean;
  /**
   * A time column of text (ISO 8601) is compared with timestamps and cast to one: BigQuery and
   * Snowflake do; DuckDB and Postgres refuse to compare text with a timestamp, so the column check
   * before a run says so.
   */
  textTimestamps: boolean;
  /** The warehouse has an aggregate percentile; when false, macros/percentiles.sql takes `percentileOver` in a subquery. */
  aggregatePercentile: boolean;
  /**
   * HAVING sees the select list's aliases, which hide input columns of the same name (`sum(x) as x`
   * then `having sum(x)` is an aggregate of an aggregate); templates qualify such columns.
   */
  havingSeesAliases: boolean;
  /**
   * A common table expression referenced twice is computed once (materialized or shared). Where it
   * is not (BigQuery runs it once per reference), the compiler builds a step's CTEs that are read
   * more than once as session tables first (compiler/shared-expressions.ts), so templates can
   * reference a CTE as often as they need on every warehouse.
   */
  reusesCommonTableExpressions: boolean;
}

export interface Dialect {
  name: string;
  capabilities: Capabilities;
  /**
   * The longest table or index name the warehouse keeps, in bytes: Postgres silently cuts longer
   * names to 63, so two names alike in their first 63 bytes are one table. Names hindsight makes up
   * are fitted to it (compiler/names.ts).
   */
  maxIdentifierLength: number;
  types: { double: string; bigint: string; integer: string; text: string; timestamp: string; boolean: string };
  quote(identifier: string): string;
  /** `schema.table` (or a bare name) with each part quoted. */
  relation(dotted: string): string;
  string(value: string): string;
  number(value: number): string;
  timestamp(value: Date): string;
  /** A user column read as a UTC timestamp without time zone. */
  toTimestamp(expr: string): string;
  /**
   * A source's own time column compared with an instant, as the warehouse prunes partitions by: the
   * column itself against a constant. The column may be a timestamp, a date or (BigQuery) a datetime;
   * with `text`, ISO 8601 text (where Capabilities.textTimestamps: the run's column check found it so).
   */
  timeFilter(column: string, op: '<' | '<=' | '>' | '>=', at: Date, text?: boolean): string;
  toDouble(expr: string): string;
  toText(expr: string): string;
  /**
   * 1/0 from a 1/0 integer or a boolean column (`what`: the configuration key, for the error). Any
   * other value stops the run: a label of 2 or -1 made the counts and the probability metrics
   * disagree. A column of another type is cast to an integer first, as the warehouse rounds.
   */
  toLabel(expr: string, what: string): string;
  /**
   * A double from a probability column (`what`: the configuration key, for the error). A value
   * outside [0, 1] (a margin, a 0-100 scale) stops the run: log_loss, brier_score and ece read it as
   * a probability, and one of 96 or more overflowed femtoSum's integers with the warehouse's words.
   */
  toProbability(expr: string, what: string): string;
  /**
   * A double from a multiclass class score column (`what`: its configuration key, for the error). A
   * negative, infinite or NaN value stops the run: a row's scores are divided by their sum, which a
   * negative one (a logit) turns into no probability, and a row of negative scores into their reverse
   * order (logits -3, -2, -1 became 0.5, 0.33, 0.17: top-k accuracy and ROC AUC counted the highest
   * score as the lowest). So does one above 1e300, whose row's sum could overflow to infinity (two of
   * 1e308: every class's probability 0 on DuckDB, an overflow error on Postgres).
   */
  toScore(expr: string, what: string): string;
  /**
   * A double from any other number column (a regression's predictions and labels, a forecast's values
   * and actuals; `what`: its configuration key). NaN, an infinity or a value beyond ±1e308 stops the
   * run naming `what` and the value: the metrics' sums failed on them with the warehouse's words alone
   * ("bigint out of range" on Postgres, "Could not cast value nan to DECIMAL(38,15)" on DuckDB).
   */
  toFiniteNumber(expr: string, what: string): string;
  /**
   * An expression that, when evaluated, stops the statement with `message` (a SQL text expression):
   * DuckDB's and BigQuery's error(); elsewhere a cast of the text to a number, whose error quotes it.
   */
  fail(message: string): string;
  /** Start of the UTC window that holds `expr`; weeks are ISO weeks (Monday) in every dialect. */
  windowStart(granularity: Granularity, expr: string): string;
  /** Start of the next window after the one starting at `expr`. */
  windowEnd(granularity: Granularity, expr: string): string;
  /**
   * A subquery of one column, `window_start`: the starts of the windows of `granularity` from `from`
   * (a window's start, or NULL: no rows) to the last at or before `to`, one row each. For the windows
   * without data, which no grouping of the data can give (macros/data_quality.sql, empty_windows).
   */
  windowSeries(granularity: Granularity, from: string, to: string): string;
  addSeconds(expr: string, seconds: number): string;
  /** Hours from `start` to `end` as a double, to the microsecond. */
  hoursBetween(start: string, end: string): string;
  /** `a / b` as a double, NULL when `b` is 0. */
  divide(a: string, b: string): string;
  /** Integer quotient of two non-negative integers (slice keys are decoded with it). */
  intDivide(a: string, b: string): string;
  /**
   * Sum of doubles that does not depend on row order: each addend is rounded to 15 decimals (to
   * within one unit of 1e-15 where a warehouse scales it in double precision: femtoSum, Postgres)
   * and summed exactly, so incremental and full-refresh runs (and reruns) give identical values.
   */
  exactSum(expr: string): string;
  /** exactSum as a window function over `window` (what goes inside `over (...)`). */
  exactSumOver(expr: string, window: string): string;
  /**
   * The sum of a column of exactSum results, as exact, where a group's rows come from several
   * branches of a UNION ALL (a forecast's MASE checkpoint: src/dialects/duckdb.ts says why).
   */
  addExactSums(column: string): string;
  /**
   * The same for addends known to stay below 9,000 in absolute value (probabilities, losses of
   * clipped probabilities): each is rounded to an integer number of 1e-15 units and the integers
   * are summed, which warehouses do exactly and far faster than decimals (Postgres accumulates
   * bigints in 128 bits). The result is in units of 1e-15: divide by 1e15 once, at the end.
   */
  femtoSum(expr: string): string;
  /** Exact percentile with linear interpolation, as an aggregate. */
  percentile(expr: string, fraction: number): string;
  /**
   * Several exact percentiles of one expression, as aggregates (one per fraction, in order). Each
   * is `percentile` unless the warehouse can read them all from one sort of the values.
   */
  percentiles(expr: string, fractions: number[]): string[];
  /** The same as a window function over `partitionBy`, for warehouses without the aggregate. */
  percentileOver?(expr: string, fraction: number, partitionBy: string): string;
  /**
   * What follows `order by …` in a window that counts the rows up to the current row and its peers
   * (ties): the explicit range frame, or '' where the warehouse's default frame is that same frame
   * and spelling it out costs (Postgres, below).
   */
  peersFrame: string;
  /** Text compared byte by byte, so that ordering does not depend on the server's locale. */
  binaryCollate(expr: string): string;
  /**
   * The MD5 digest of a text's UTF-8 bytes, as lower-case hex (or as bytes, which sort the same):
   * an order on requests that every warehouse computes alike (recommendations' personalization sample).
   */
  md5(expr: string): string;
  /**
   * Table options after a CREATE TABLE's column list (or before AS): how a table of hindsight's
   * is laid out so that reading one window or one monitor scans little. Empty by default.
   */
  tableLayout(timeColumn: string, clusterBy: string[]): string;
  /**
   * Statements that create, when missing, an index of `schema`.`table` (names, unquoted) on
   * `columns` named `name` (in the table's schema), where the warehouse reads a few rows of a large
   * table faster through one. None by default: DuckDB and Snowflake skip blocks by their min/max
   * values, BigQuery by partitions and clustering.
   */
  createIndex(schema: string, table: string, name: string, columns: string[]): string[];
  /**
   * `statement` (a `create … if not exists` of a schema or relation named `name`, as SQL), run only
   * when that is missing where the warehouse checks the right to create before it looks: Postgres
   * refuses `create schema if not exists` without CREATE on the database, and the table's and
   * index's without CREATE on the schema and ownership, even when they exist.
   */
  unlessExists(kind: 'schema' | 'relation', name: string, statement: string): string;
  /**
   * Queries that take and give back a lock named `name` for the session, where the warehouse has
   * such locks (Postgres's advisory locks): `take` returns one row whose `taken` is true when the
   * lock was free, without waiting; `holder` a row whose `holder` says which session holds it and
   * how to end that session. A run holds its monitor's lock from its plan to its commit, so that
   * two runs of one monitor never plan from the same stored state. None by default: DuckDB's file
   * lock keeps a second process out; BigQuery and Snowflake have no such locks.
   */
  sessionLock(name: string): { take: string; release: string; holder: string } | undefined;
  /** Statements that (re)create a session-scoped table from a query. */
  createTempTable(name: string, select: string): string[];
  /**
   * Statements that (re)create a permanent table (`relation`: quoted, qualified) from a query.
   * `timeColumn`, a column of the query, is the one reads and deletes of the table select ranges of:
   * a warehouse that skips blocks of rows by their min/max writes the rows in its order.
   */
  createTable(relation: string, select: string, timeColumn?: string): string[];
  /**
   * Statements that make the rows of `table` (quoted, qualified) whose `timeColumn` is at or after
   * `from` (a literal) those of `rows`, a table of the same columns in the same order: by default
   * a delete of the range and an insert. `key` (column names), when given, names one row of either
   * table, so that a warehouse where each row written costs index upkeep and a dead row version
   * (Postgres) can write only the rows that changed.
   */
  replaceRange(table: string, rows: string, timeColumn: string, from: string, key: string[]): string[];
  /**
   * Statements, inside the run's transaction, that put `staged` (a permanent table built by the
   * run; quoted, qualified) in place of `table` (the same schema, named `name`, quoted): by default
   * the stored table is dropped and the staged one renamed, where the warehouse lets views on the
   * stored table be dropped with it, or keeps them (DuckDB binds a view when it is read).
   */
  replaceTable(table: string, staged: string, name: string): string[];
  /**
   * The statement that renames `table` (quoted, qualified) to `name` (unquoted) in `schema`
   * (unquoted), outside a transaction: where DDL is not transactional, a stored table the run
   * replaces is set aside so, and renamed back if the run fails (src/runner/stored-tables.ts).
   */
  renameTable(table: string, schema: string, name: string): string;
}

// Templates quote thousands of identifiers per monitor, nearly all without a quote character in them:
// split and join on each was 75 ms of compiling 1,000 monitors (a CPU profile).
const quoteWith = (q: string) => (id: string) => (id.includes(q) ? `${q}${id.split(q).join(q + q)}${q}` : `${q}${id}${q}`);

/**
 * A double from a number column, whose value outside [low, high] stops the run with "<what> must be
 * <expected>; got <value>" (NaN too: it is above every number in DuckDB, Postgres and Snowflake, and
 * compares false in BigQuery). NULL passes.
 */
function checkedDouble(d: Dialect, expr: string, what: string, [low, high]: [string, string], expected: string): string {
  const p = d.toDouble(expr);
  const message = `${d.string(`${what} must be ${expected}; got `)} || ${d.toText(p)}`;
  return `case when ${p} between ${low} and ${high} or ${p} is null then ${p} else ${d.fail(message)} end`;
}

export const defaultDialect: Dialect = {
  name: 'default',
  capabilities: { transactionalDdl: true, textTimestamps: false, aggregatePercentile: true, havingSeesAliases: false, reusesCommonTableExpressions: true },
  // DuckDB has no limit; Snowflake's is 255 characters and BigQuery's table names 1,024, beyond the
  // longest name hindsight makes (about 90 characters for a monitor name of 60)
  maxIdentifierLength: Number.POSITIVE_INFINITY,
  types: { double: 'double precision', bigint: 'bigint', integer: 'integer', text: 'varchar', timestamp: 'timestamp', boolean: 'boolean' },
  quote: quoteWith('"'),
  relation(dotted) {
    return dotted.split('.').map((part) => this.quote(part)).join('.');
  },
  string: (value) => `'${value.split("'").join("''")}'`,
  number(value) {
    if (!Number.isFinite(value)) throw new Error(`cannot render ${value} as a SQL number`);
    return String(value);
  },
  timestamp(value) {
    return `timestamp '${value.toISOString().replace('T', ' ').replace(/\.000Z$/, '').replace('Z', '')}'`;
  },
  toTimestamp(expr) {
    return `cast(${expr} as ${this.types.timestamp})`;
  },
  // a date is compared as its midnight, which every warehouse but BigQuery does implicitly
  timeFilter(column, op, at) {
    return `${column} ${op} ${this.timestamp(at)}`;
  },
  toDouble(expr) {
    return `cast(${expr} as ${this.types.double})`;
  },
  toText(expr) {
    return `cast(${expr} as ${this.types.text})`;
  },
  toLabel(expr, what) {
    const label = `cast(${expr} as ${this.types.integer})`;
    const message = `${this.string(`${what} must be 1/0 or true/false; got `)} || ${this.toText(label)}`;
    return `case when ${label} in (0, 1) or ${label} is null then ${label} else ${this.fail(message)} end`;
  },
  // (the lower bounds of -1e-9: 1 less a sum of other classes' probabilities can be 1 + 2e-16 or -1e-17)
  toProbability(expr, what) {
    return checkedDouble(this, expr, what, ['-1e-9', '1 + 1e-9'], 'a probability between 0 and 1 (map another scale into it in a `sql:` source)');
  },
  toScore(expr, what) {
    return checkedDouble(this, expr, what, ['-1e-9', '1e300'], 'a score from 0 to 1e300, such as a probability (map logits through a softmax in a `sql:` source)');
  },
  toFiniteNumber(expr, what) {
    // (the message names the bound: a finite double beyond it, up to 1.8e308, is refused too)
    return checkedDouble(this, expr, what, ['-1e308', '1e308'], 'a finite number from -1e308 to 1e308');
  },
  fail(message) {
    return `cast(${message} as ${this.types.integer})`;
  },
  windowStart: (granularity, expr) => `date_trunc('${granularity}', ${expr})`,
  windowEnd: (granularity, expr) => `${expr} + interval '${granularity === 'week' ? '7 days' : `1 ${granularity}`}'`,
  windowSeries: (granularity, from, to) =>
    `(select generate_series(${from}, ${to}, interval '${granularity === 'week' ? '7 days' : `1 ${granularity}`}') as window_start)`,
  addSeconds: (expr, seconds) => `${expr} + interval '${seconds} seconds'`,
  hoursBetween(start, end) {
    return `${this.toDouble(`extract(epoch from (${end} - ${start}))`)} / 3600`;
  },
  divide(a, b) {
    return `${this.toDouble(a)} / nullif(${b}, 0)`;
  },
  intDivide: (a, b) => `(${a}) / (${b})`,
  exactSum: (expr) => `sum(cast(${expr} as decimal(38, 15)))`,
  exactSumOver(expr, window) {
    return `${this.exactSum(expr)} over (${window})`;
  },
  addExactSums: (column) => `sum(${column})`,
  femtoSum: (expr) => `sum(cast(round((${expr}) * 1e15) as bigint))`,
  percentile: (expr, fraction) => `percentile_cont(${fraction}) within group (order by ${expr})`,
  percentiles(expr, fractions) {
    return fractions.map((f) => this.percentile(expr, f));
  },
  peersFrame: ' range between unbounded preceding and current row',
  binaryCollate: (expr) => expr,
  tableLayout: () => '',
  createIndex: () => [],
  unlessExists: (_kind, _name, statement) => statement,
  sessionLock: () => undefined,
  md5: (expr) => `md5(${expr})`,
  createTempTable(name, select) {
    return [`drop table if exists ${this.quote(name)}`, `create temporary table ${this.quote(name)} as\n${select}`];
  },
  createTable: (relation, select) => [`drop table if exists ${relation}`, `create table ${relation} as\n${select}`],
  replaceTable: (table, staged, name) => [`drop table if exists ${table}`, `alter table ${staged} rename to ${name}`],
  renameTable(table, _schema, name) {
    return `alter table ${table} rename to ${this.quote(name)}`;
  },
  replaceRange: (table, rows, timeColumn, from) => [
    `delete from ${table}\nwhere ${timeColumn} >= ${from}`,
    `insert into ${table}\nselect * from ${rows}\nwhere ${timeColumn} >= ${from}`,
  ],
};

/** A dialect is the default with its differences laid over it. */
const DAY_MS = 86_400_000;
const FIRST_DAY = new Date(0).setUTCFullYear(1, 0, 1); // (Date.UTC reads years 0-99 as 1900-1999)
const LAST_DAY = Date.UTC(9999, 11, 31);
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/**
 * timeFilter for a warehouse that compares a column with a string literal of a day as its own type:
 * a date or timestamp of any kind takes the literal as that type (a constant, which partitions prune
 * by); a text column compares it as text, by the text's local date, which an offset such as +08:00
 * puts up to a day from the UTC one, so for `text` the days are widened by one on each side. The
 * column is bounded by those days, then compared exactly as the UTC instant the pipeline reads it as
 * (Dialect.toTimestamp).
 */
export function dayBoundedTimeFilter(d: Dialect, column: string, op: '<' | '<=' | '>' | '>=', at: Date, text = false): string {
  const day = Math.floor(at.getTime() / DAY_MS) * DAY_MS;
  const slack = text ? DAY_MS : 0;
  const exact = `${d.toTimestamp(column)} ${op} ${d.timestamp(at)}`;
  // (no day before 0001-01-01 or after 9999-12-31 to bound by)
  if (op.startsWith('>')) return day - slack < FIRST_DAY ? exact : `${column} >= '${isoDay(day - slack)}' and ${exact}`;
  return day + DAY_MS + slack > LAST_DAY ? exact : `${column} < '${isoDay(day + DAY_MS + slack)}' and ${exact}`;
}

export function defineDialect(overrides: Partial<Dialect> & { name: string }): Dialect {
  return { ...defaultDialect, ...overrides };
}
