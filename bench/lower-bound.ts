// The lower bound: the cheapest hand-written SQL found that does the work no exact implementation
// can avoid (bench/prototypes/lower-bound-variants.ts has the candidates and how they compared):
//   - read the needed columns of both sources once,
//   - dedupe predictions (latest copy per key) and pick each prediction's latest outcome inside
//     its 14-day window (the join),
//   - one aggregate per window granularity (day and week, per model version),
//   - one sort of the joined rows by score (rank within day and version: what any exact ranking
//     metric - ROC AUC, average precision, KS - needs at the least).
// It writes a small session table, like hindsight's steps. It does not slice by segment, fold
// top-N values, compute data-quality rows or write an evaluations table: that is hindsight's extra.
import { AS_OF_FULL, SCHEMA, WITHIN_DAYS, type Warehouse } from './generate.js';

const ts = (d: Date) => `timestamp '${d.toISOString().replace('T', ' ').replace('.000Z', '')}'`;

/**
 * The sliced floor: the same, but ranked in every group the benchmark monitor has (day and week,
 * per model version, overall and per value of each segment column: six sorts of every row, where
 * the lower bound has one), with none of hindsight's other work. Values are not folded into top-N.
 */
function slicedTail(): string {
  const slices = ['day', 'week'].flatMap((g) =>
    [['0', 'cast(null as varchar)'], ['1', 'customer_type'], ['2', 'region']].map(
      ([i, v]) => `    select date_trunc('${g}', predicted_at) as window_start, ${g === 'day' ? i : `${Number(i) + 3}`} as slice, model_version, ${v} as segment_value, score, label from j`,
    ),
  );
  return `
sliced as (
${slices.join('\n    union all\n')}
),
ranked as (
    select window_start, slice, model_version, segment_value, score, label,
        rank() over (partition by window_start, slice, model_version, segment_value order by score) as score_rank
    from sliced
)
select window_start, slice, model_version, segment_value,
    count(*) as n, sum(label) as positives, sum(score) as sum_score,
    sum(case when label = 1 then score_rank else 0 end) as positive_rank_sum
from ranked
group by window_start, slice, model_version, segment_value`;
}

function tail(sliced = false): string {
  if (sliced) return slicedTail();
  return `
ranked as (
    select predicted_at, model_version, score, label,
        rank() over (partition by date_trunc('day', predicted_at), model_version order by score) as score_rank
    from j
)
select
    date_trunc('day', predicted_at) as day, date_trunc('week', predicted_at) as week, model_version,
    count(*) as n, sum(label) as positives, sum(score) as sum_score,
    sum(case when label = 1 then score_rank else 0 end) as positive_rank_sum
from ranked
group by grouping sets ((date_trunc('day', predicted_at), model_version), (date_trunc('week', predicted_at), model_version))`;
}

/**
 * The regression monitor's lower bound (bench/project.ts: the score as the prediction of the label):
 * per day and model version the sums its metrics need and the exact order statistics of |error|
 * (one sort of the joined rows, within each day), and the week rows added up from the day rows.
 */
function regressionTail(w: Warehouse): string {
  const quantiles = w === 'duckdb'
    ? 'quantile_cont(abs(score - label), [0.5, 0.9, 0.99])'
    : 'percentile_cont(array[0.5, 0.9, 0.99]) within group (order by abs(score - label))';
  const sums = ['count(*) as n', 'sum(score) as sum_prediction', 'sum(label) as sum_label', 'sum(score - label) as sum_error',
    'sum(abs(score - label)) as sum_abs_error', 'sum((score - label) * (score - label)) as sum_sq_error', 'sum(label * label) as sum_sq_label',
    'max(abs(score - label)) as max_abs_error'];
  const added = ['sum(n)', 'sum(sum_prediction)', 'sum(sum_label)', 'sum(sum_error)', 'sum(sum_abs_error)', 'sum(sum_sq_error)', 'sum(sum_sq_label)', 'max(max_abs_error)'];
  return `
days as (
    select date_trunc('day', predicted_at) as window_start, model_version,
        ${sums.join(',\n        ')},
        ${quantiles} as abs_error_quantiles
    from j
    group by date_trunc('day', predicted_at), model_version
)
select window_start, model_version, ${sums.map((x) => x.split(' as ')[1]).join(', ')}, abs_error_quantiles
from days
union all
select date_trunc('week', window_start), model_version, ${added.join(', ')}, null
from days
group by date_trunc('week', window_start), model_version`;
}

/** `sliced`: the sliced floor (slicedTail) instead of the lower bound; `regression`: the regression monitor's. */
export function lowerBoundSql(w: Warehouse, asOf = AS_OF_FULL, sliced = false, regression = false): string {
  // the segment columns ride along only for the sliced floor
  const segments = (f: (c: string) => string) => (sliced ? ['customer_type', 'region'].map((c) => `,\n        ${f(c)}`).join('') : '');
  const a = ts(asOf);
  const pWhere = `predicted_at <= ${a} and prediction_id is not null`;
  const oWhere = `o.observed_at <= ${a} and o.label is not null and o.prediction_id is not null`;
  if (w === 'duckdb') {
    // arg_max per column dedupes in one hash aggregate (measured marginally cheaper than row_number()
    // here: 1.12-1.21 s vs 1.17-1.21 s of CPU at 1e6 predictions);
    // the winning outcome is another arg_max over the joined rows.
    return `
with p as (
    select prediction_id, max(predicted_at) as predicted_at, arg_max(score, predicted_at) as score,
        arg_max(model_version, predicted_at) as model_version${segments((c) => `arg_max(${c}, predicted_at) as ${c}`)}
    from ${SCHEMA}.predictions
    where ${pWhere}
    group by prediction_id
),
j as (
    select any_value(p.predicted_at) as predicted_at, any_value(p.score) as score, any_value(p.model_version) as model_version,
        arg_max(o.label, epoch_ms(o.observed_at) * 2 + o.label) as label${segments((c) => `any_value(p.${c}) as ${c}`)}
    from p join ${SCHEMA}.outcomes as o
        on o.prediction_id = p.prediction_id
        and o.observed_at between p.predicted_at and p.predicted_at + interval ${WITHIN_DAYS} day
    where ${oWhere}
    group by p.prediction_id
),${regression ? regressionTail(w) : tail(sliced)}`;
  }
  // Postgres has no arg_max; row_number() measured cheaper than distinct on (bench/prototypes:
  // 4.7-5.1 s vs 7.6-7.9 s of server CPU at 1e6 predictions).
  return `
with p as (
    select * from (
        select prediction_id, predicted_at, score, model_version${segments((c) => c)},
            row_number() over (partition by prediction_id order by predicted_at desc) as rn
        from ${SCHEMA}.predictions
        where ${pWhere}
    ) as x
    where rn = 1
),
j as (
    select * from (
        select p.predicted_at, p.score, p.model_version, o.label${segments((c) => `p.${c}`)},
            row_number() over (partition by p.prediction_id order by o.observed_at desc, o.label desc) as rn
        from p join ${SCHEMA}.outcomes as o
            on o.prediction_id = p.prediction_id
            and o.observed_at between p.predicted_at and p.predicted_at + interval '${WITHIN_DAYS} days'
        where ${oWhere}
    ) as x
    where rn = 1
),${regression ? regressionTail(w) : tail(sliced)}`;
}
