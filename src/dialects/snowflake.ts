import { dayBoundedTimeFilter, defineDialect, type Dialect } from './dialect.js';

// Snowflake. Timestamps are TIMESTAMP_NTZ holding UTC (literals are cast explicitly: what plain
// TIMESTAMP means depends on TIMESTAMP_TYPE_MAPPING). DDL, temporary tables included, commits the
// open transaction, so DDL is not transactional and the write step only deletes and inserts.

// Snowflake stores unquoted identifiers upper-cased and compares quoted ones exactly. A table made
// the usual way (`create table t (prediction_id varchar)`) has a column PREDICTION_ID, which
// "prediction_id" would not find. So simple lower-case names are left unquoted and resolve
// case-insensitively, the way people write Snowflake SQL; hindsight's own names (unquoted in the
// templates) are treated the same way. Anything else (upper or mixed case, other characters,
// reserved words) is quoted and so means exactly the name as configured.
const RESERVED = new Set(
  ('account all alter and any as between by case cast check column connect connection constraint create cross ' +
    'current current_date current_time current_timestamp current_user database delete distinct drop else exists ' +
    'false following for from full grant group gscluster having ilike in increment inner insert intersect into is ' +
    'issue join lateral left like localtime localtimestamp minus natural not null of on or order organization ' +
    'qualify regexp revoke right rlike row rows sample schema select set some start table tablesample then to ' +
    'trigger true try_cast union unique update using values view when whenever where with').split(' '),
);

const quote = (id: string) => (/^[a-z_][a-z0-9_$]*$/.test(id) && !RESERVED.has(id) ? id : `"${id.split('"').join('""')}"`);

/** Whether a lower-case name is a word Snowflake reserves (quoted, so compared exactly). */
export const isReserved = (id: string) => RESERVED.has(id);

export const snowflake: Dialect = defineDialect({
  name: 'snowflake',
  // A WITH clause referenced twice is one WithClause operator feeding two WithReference operators
  // in Snowflake's query profile: computed once (not verified on a live account here).
  capabilities: { transactionalDdl: false, textTimestamps: true, aggregatePercentile: true, havingSeesAliases: true, reusesCommonTableExpressions: true },
  types: { double: 'float', bigint: 'number', integer: 'number', text: 'varchar', timestamp: 'timestamp_ntz', boolean: 'boolean' },
  quote,
  // A backslash starts an escape sequence in Snowflake string literals too.
  string: (value) => `'${value.replace(/\\/g, '\\\\').split("'").join("''")}'`,
  timestamp: (value) => `'${value.toISOString().replace('T', ' ').replace(/\.000Z$/, '').replace('Z', '')}'::timestamp_ntz`,
  // A cast of a TIMESTAMP_TZ to TIMESTAMP_NTZ keeps its wall-clock time and drops its offset: a value
  // stored with +02:00 would be read two hours late. Through TIMESTAMP_TZ and UTC, every time type is
  // read as its UTC instant (an NTZ or LTZ column, or a DATE, is taken in the session's time zone, UTC).
  toTimestamp: (expr) => `cast(convert_timezone('UTC', cast(${expr} as timestamp_tz)) as timestamp_ntz)`,
  // A VARCHAR column compared with a TIMESTAMP_NTZ literal is cast to one, which drops an offset
  // (+08:00): a text column is bounded by days, as text, then compared as the UTC instant the
  // pipeline reads it as. A date or timestamp column is compared with the literal itself, which prunes.
  timeFilter(this: Dialect, column: string, op: '<' | '<=' | '>' | '>=', at: Date, text?: boolean) {
    return text ? dayBoundedTimeFilter(this, column, op, at, true) : `${column} ${op} ${this.timestamp(at)}`;
  },
  // DATE_TRUNC('week') follows the WEEK_START parameter; DAYOFWEEKISO is always 1 on Monday.
  windowStart: (granularity, expr) =>
    granularity === 'week'
      ? `dateadd(day, 1 - dayofweekiso(${expr}), date_trunc('day', ${expr}))`
      : `date_trunc('${granularity}', ${expr})`,
  windowEnd: (granularity, expr) =>
    granularity === 'month' ? `dateadd(month, 1, ${expr})` : `dateadd(day, ${granularity === 'week' ? 7 : 1}, ${expr})`,
  // (no series of times: a range of whole numbers, flattened, each the days or months from `from`,
  // which is read once, beside its count of them)
  windowSeries: (granularity, from, to) => {
    const [part, step] = granularity === 'month' ? ['month', 1] : ['day', granularity === 'week' ? 7 : 1];
    return `(select dateadd(${part}, steps.value, bounds.first) as window_start from (select ${from} as first) as bounds, table(flatten(array_generate_range(0, datediff(${part}, bounds.first, ${to}) + 1, ${step}))) as steps)`;
  },
  addSeconds: (expr, seconds) => `dateadd(second, ${seconds}, ${expr})`,
  // Exact microseconds, as a FLOAT before dividing: NUMBER division would keep only 6 decimals.
  // (Same value as DATEDIFF(microsecond, …), in a form transpilers do not turn into date arithmetic.)
  hoursBetween(this: Dialect, start: string, end: string) {
    return `${this.toDouble(`date_part(epoch_microsecond, ${end}) - date_part(epoch_microsecond, ${start})`)} / 3600000000`;
  },
  // NUMBER division keeps 6 decimals, rounded (and analyzers call it FLOAT64): a quotient within 5e-7
  // below an integer would floor to that integer. Less the remainder, the division is exact.
  intDivide: (a, b) => `cast(((${a}) - mod(${a}, ${b})) / (${b}) as bigint)`,
  exactSum: (expr) => `sum(cast(${expr} as number(38, 15)))`,
  // 'utf8' compares by UTF-8 bytes, whatever DEFAULT_DDL_COLLATION gave the column.
  binaryCollate: (expr) => `collate(${expr}, 'utf8')`,
  createTempTable(this: Dialect, name: string, select: string) {
    return [`create or replace temporary table ${this.quote(name)} as\n${select}`];
  },
  // An unqualified new name moves the table into the session's current schema (what dbt-snowflake
  // fixed in its rename, dbt-labs/dbt-snowflake#1060): qualified, it stays in its own.
  renameTable(this: Dialect, table: string, schema: string, name: string) {
    return `alter table ${table} rename to ${this.quote(schema)}.${this.quote(name)}`;
  },
});
