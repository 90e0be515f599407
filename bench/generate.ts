// Deterministic synthetic data, generated inside the warehouse with SQL.
//
// Randomness comes from a portable integer hash of (row number, salt) instead of random(): DuckDB's
// random() is not reproducible row by row once the scan runs on several threads, and a hash is.
// The hash (Thomas Mueller's 32-bit finalizer, all intermediate values < 2^63) is plain bigint
// arithmetic, so DuckDB and Postgres generate byte-identical tables and their metric tables can be
// compared with each other.
//
// The world: `rows` prediction events over a 90-day history starting Monday 2026-01-05, plus a 91st
// day that the incremental step appends.
// - keys: one prediction per key, ~5% of keys re-logged 1 ms..10 min later (dedupe: latest keeps the copy)
// - two model versions (v2 from day 30 on, half of the traffic), two segment columns
//   (customer_type: 4 values; region: 40 values, skewed, `top: 20` folds the tail into __other__)
// - two unused columns (environment, latency_ms), so that reading only configured columns matters
// - outcomes: 88% of keys get one, arriving over two weeks (delay = u^2 x 14 days); 3% of those
//   arrive 14-21 days late; 10% get a correction up to 2 days after the first report (the first
//   report is wrong 10% of the time); 0.5% get an early outcome (before the prediction); orphan
//   outcomes (keys that were never predicted) are 1% of the keys.
export type Warehouse = 'duckdb' | 'postgres';

export const DAY_MS = 86_400_000;
export const HISTORY_DAYS = 90;
export const T0 = new Date('2026-01-05T00:00:00Z'); // a Monday
/** as-of of the full refresh: the end of the 90-day history. */
export const AS_OF_FULL = new Date(T0.getTime() + HISTORY_DAYS * DAY_MS);
/** as-of of the incremental run: one more day. */
export const AS_OF_NEXT = new Date(T0.getTime() + (HISTORY_DAYS + 1) * DAY_MS);
export const WITHIN_DAYS = 14;

export const SCHEMA = 'bench';

/** Number of distinct keys over 91 days such that the first 90 days hold ~`rows` events. */
export function keyCount(rows: number): number {
  return Math.round((rows / 1.05) * ((HISTORY_DAYS + 1) / HISTORY_DAYS));
}

interface Sql {
  xor(a: string, b: string): string;
  double: string;
  /** T0 plus an integer number of milliseconds. */
  atMs(ms: string): string;
  series(n: number): string;
}

const SQL: Record<Warehouse, Sql> = {
  duckdb: {
    xor: (a, b) => `xor(${a}, ${b})`,
    double: 'double',
    atMs: (ms) => `(timestamp '2026-01-05 00:00:00' + to_milliseconds(${ms}))`,
    series: (n) => `(select range as k from range(${n}))`,
  },
  postgres: {
    xor: (a, b) => `(${a} # ${b})`,
    double: 'double precision',
    atMs: (ms) => `(timestamp '2026-01-05 00:00:00' + (${ms}) * interval '1 millisecond')`,
    series: (n) => `(select k from generate_series(0::bigint, ${n - 1}::bigint) as k)`,
  },
};

const MASK = '4294967295';
const MIX = '73244475'; // 0x45d9f3b

/**
 * `select k, u1 .. uN from <keys>`: uniform doubles in [0, 1) from hash(k, salt), computed in
 * stages (one subquery per mixing round) so that no expression is repeated.
 */
function uniforms(w: Warehouse, keys: string, salts: number): string {
  const s = SQL[w];
  const ids = Array.from({ length: salts }, (_, i) => i + 1);
  const stage0 = `select k, ${ids.map((i) => `(k * 2654435761 + ${i * 40503 + 12345}) & ${MASK} as x${i}`).join(', ')} from ${keys} as keys`;
  const round = (from: string) =>
    `select k, ${ids.map((i) => `(${s.xor(`x${i} >> 16`, `x${i}`)} * ${MIX}) & ${MASK} as x${i}`).join(', ')} from (${from}) as r`;
  const stage2 = round(round(stage0));
  return `select k, ${ids.map((i) => `cast(${s.xor(`x${i} >> 16`, `x${i}`)} as ${s.double}) / cast(4294967296 as ${s.double}) as u${i}`).join(', ')} from (${stage2}) as r`;
}

/**
 * The key of hash input k: k itself, or k times `stride` (GenerateOptions.keyStride), which leaves
 * room for other keys between two generated ones.
 */
const keyOf = (stride: number) => (stride === 1 ? 'k' : `k * ${stride}`);

/** All prediction events of the 91 days (key, time, score, version, segments, unused columns). */
export function predictionEventsSql(w: Warehouse, rows: number, keyStride = 1): string {
  const s = SQL[w];
  const key = keyOf(keyStride);
  const K = keyCount(rows);
  const day = (ms: string) => `floor(${ms} / ${DAY_MS})`;
  return `
with u as (${uniforms(w, s.series(K), 7)}),
base as (
    select
        k,
        cast(floor(u1 * ${(HISTORY_DAYS + 1) * DAY_MS}) as bigint) as ms,
        u2 as score,
        case when ${day(`floor(u1 * ${(HISTORY_DAYS + 1) * DAY_MS})`)} >= 30 and u3 < 0.5 then 'v2' else 'v1' end as model_version,
        case when u4 < 0.5 then 'returning' when u4 < 0.8 then 'new' when u4 < 0.95 then 'business' else 'vip' end as customer_type,
        'r' || lpad(cast(cast(floor(u5 * u5 * 40) as integer) as varchar), 2, '0') as region,
        u6 < 0.05 as relogged,
        1 + cast(floor(u7 * 600000) as bigint) as relog_delay_ms,
        cast(floor(u7 * 900) as integer) as latency_ms
    from u
)
select ${key} as prediction_id, ${s.atMs('ms')} as predicted_at, score, model_version, customer_type, region,
    'production' as environment, latency_ms
from base
union all
select ${key}, ${s.atMs('ms + relog_delay_ms')}, score, model_version, customer_type, region, 'production', latency_ms + 1
from base
where relogged`;
}

/** All outcome events: first reports (some late), corrections, early ones and orphans. */
export function outcomeEventsSql(w: Warehouse, rows: number, keyStride = 1): string {
  const s = SQL[w];
  const key = keyOf(keyStride);
  const K = keyCount(rows);
  const span = (HISTORY_DAYS + 1) * DAY_MS;
  const within = WITHIN_DAYS * DAY_MS;
  const orphans = Math.round(K / 100);
  return `
with u as (${uniforms(w, s.series(K + orphans), 16)}),
keyed as (
    select
        k,
        k >= ${K} as orphan,
        cast(floor(u1 * ${span}) as bigint) as ms,
        case when u8 < u2 then 1 else 0 end as truth,
        u9 < 0.88 as reported,
        case
            when u10 < 0.03 then ${within} + 1 + cast(floor(u11 * ${7 * DAY_MS}) as bigint)
            else cast(floor(u11 * u11 * ${within}) as bigint)
        end as delay_ms,
        u12 < 0.1 as wrong_first,
        u13 < 0.1 as corrected,
        cast(floor(u14 * ${2 * DAY_MS}) as bigint) as correction_ms,
        u15 < 0.005 as early,
        1 + cast(floor(u16 * ${DAY_MS}) as bigint) as early_ms,
        u8 < 0.5 as coin
    from u
)
select ${key} as prediction_id, ${s.atMs('ms + delay_ms')} as observed_at,
    case when wrong_first then 1 - truth else truth end as label, 'tracker' as source
from keyed where not orphan and reported
union all
select ${key}, ${s.atMs('ms + delay_ms + correction_ms')}, truth, 'correction'
from keyed where not orphan and reported and corrected
union all
select ${key}, ${s.atMs('ms - early_ms')}, truth, 'tracker'
from keyed where not orphan and early
union all
select ${key}, ${s.atMs('ms')}, case when coin then 1 else 0 end, 'tracker'
from keyed where orphan`;
}

const q = (w: Warehouse, from: Date) => `timestamp '${from.toISOString().replace('T', ' ').replace('.000Z', '')}'`;

export interface GenerateOptions {
  /**
   * Keys are multiples of this (1 by default): a prototype can then add earlier history whose keys
   * fall between the generated ones, as random keys (UUIDs) do, instead of in a range of their own
   * that DuckDB's min/max filters skip (bench/prototypes/incremental-statements.ts --history-copies).
   * The bench project's forecast, multiclass and recommendation monitors derive series, classes and
   * items from the key, so their data changes with it.
   */
  keyStride?: number;
}

/**
 * Statements that build bench.predictions / bench.outcomes (the 90-day history, stored in time
 * order like an append-only log) and bench.predictions_next / bench.outcomes_next (the 91st day).
 */
export function generateStatements(w: Warehouse, rows: number, { keyStride = 1 }: GenerateOptions = {}): string[] {
  const full = q(w, AS_OF_FULL);
  const next = q(w, AS_OF_NEXT);
  const out: string[] = [
    `drop schema if exists ${SCHEMA} cascade`,
    `create schema ${SCHEMA}`,
    `drop schema if exists hindsight cascade`,
  ];
  const ctas = (table: string, select: string) =>
    w === 'duckdb' ? `create table ${SCHEMA}.${table} as ${select}` : `create unlogged table ${SCHEMA}.${table} as ${select}`;
  if (w === 'duckdb') {
    // DuckDB recomputes the generator cheaply; Postgres stages it once in an unlogged table.
    out.push(`create view ${SCHEMA}.gen_predictions as ${predictionEventsSql(w, rows, keyStride)}`);
    out.push(`create view ${SCHEMA}.gen_outcomes as ${outcomeEventsSql(w, rows, keyStride)}`);
  } else {
    out.push(ctas('gen_predictions', predictionEventsSql(w, rows, keyStride)));
    out.push(ctas('gen_outcomes', outcomeEventsSql(w, rows, keyStride)));
  }
  out.push(
    ctas('predictions', `select * from ${SCHEMA}.gen_predictions where predicted_at < ${full} order by predicted_at, prediction_id`),
    ctas('outcomes', `select * from ${SCHEMA}.gen_outcomes where observed_at < ${full} order by observed_at, prediction_id`),
    ctas('predictions_next', `select * from ${SCHEMA}.gen_predictions where predicted_at >= ${full} and predicted_at < ${next} order by predicted_at, prediction_id`),
    ctas('outcomes_next', `select * from ${SCHEMA}.gen_outcomes where observed_at >= ${full} and observed_at < ${next} order by observed_at, prediction_id`),
  );
  out.push(w === 'duckdb' ? `drop view ${SCHEMA}.gen_predictions` : `drop table ${SCHEMA}.gen_predictions`);
  out.push(w === 'duckdb' ? `drop view ${SCHEMA}.gen_outcomes` : `drop table ${SCHEMA}.gen_outcomes`);
  if (w === 'postgres') {
    // What a Postgres event log has: an index on its time column (incremental runs filter on it).
    out.push(`create index on ${SCHEMA}.predictions (predicted_at)`);
    out.push(`create index on ${SCHEMA}.outcomes (observed_at)`);
    out.push(`vacuum analyze ${SCHEMA}.predictions`);
    out.push(`vacuum analyze ${SCHEMA}.outcomes`);
  } else {
    out.push('checkpoint');
  }
  return out;
}

/** Appends the 91st day to the history (untimed setup of the incremental step). */
export function appendStatements(w: Warehouse): string[] {
  const out = [
    `insert into ${SCHEMA}.predictions select * from ${SCHEMA}.predictions_next`,
    `insert into ${SCHEMA}.outcomes select * from ${SCHEMA}.outcomes_next`,
  ];
  if (w === 'postgres') out.push(`vacuum analyze ${SCHEMA}.predictions`, `vacuum analyze ${SCHEMA}.outcomes`);
  else out.push('checkpoint');
  return out;
}
