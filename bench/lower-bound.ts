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
import { FORECAST_SERIES, recommendationMonitorConfig } from './project.js';

/** Which lower bound: the binary monitor's, its sliced floor, or another problem type's monitor on the same data. */
export type LowerBound = 'binary' | 'sliced' | 'regression' | 'multiclass' | 'forecast' | 'recommendation';

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

/**
 * The multiclass monitor's lower bound (bench/project.ts: three classes from the score, a label class
 * from the label and the key's parity): per day and model version the confusion counts and the sums of
 * log loss and Brier terms, weeks from the same aggregate's grouping sets, and for each class one sort
 * of the joined rows by its probability within the day (one-vs-rest ROC AUC's positive rank sums).
 */
function multiclassTail(): string {
  const classes = [
    ['1', '(1 - score) * (1 - score)'],
    ['2', '2 * score * (1 - score)'],
    ['3', 'score * score'],
  ];
  return `
m as (
    select predicted_at, model_version,
        case when score >= 0.66 then 3 when score >= 0.33 then 2 else 1 end as predicted_class,
        case when label = 1 then 3 when prediction_id % 2 = 0 then 2 else 1 end as label_class,
        ${classes.map(([i, p]) => `${p} as p${i}`).join(', ')}
    from j
),
ovr as (
${classes.map(([i]) => `    select predicted_at, model_version, ${i} as class, p${i} as score, case when label_class = ${i} then 1 else 0 end as pos from m`).join('\n    union all\n')}
),
ranked as (
    select predicted_at, model_version, class, pos,
        rank() over (partition by date_trunc('day', predicted_at), model_version, class order by score) as score_rank
    from ovr
)
select date_trunc('day', predicted_at) as day, date_trunc('week', predicted_at) as week, model_version, class,
    null as label_class, null as predicted_class,
    count(*) as n, sum(pos) as positives, sum(case when pos = 1 then score_rank else 0 end) as positive_rank_sum,
    null as log_loss_sum, null as brier_sum
from ranked
group by grouping sets ((date_trunc('day', predicted_at), model_version, class), (date_trunc('week', predicted_at), model_version, class))
union all
select date_trunc('day', predicted_at), date_trunc('week', predicted_at), model_version, null, label_class, predicted_class,
    count(*), null, null,
    sum(-ln(greatest(case label_class when 1 then p1 when 2 then p2 else p3 end, 1e-15))),
    sum(${classes.map(([i]) => `(p${i} - case when label_class = ${i} then 1 else 0 end) * (p${i} - case when label_class = ${i} then 1 else 0 end)`).join(' + ')})
from m
group by grouping sets ((date_trunc('day', predicted_at), model_version, label_class, predicted_class), (date_trunc('week', predicted_at), model_version, label_class, predicted_class))`;
}

/**
 * The forecast monitor's lower bound (bench/project.ts: forecasts of series prediction_id % 20000 for
 * 1-7 days ahead, actuals from each series' labels summed per day): dedupe the forecasts per series,
 * forecast time and target day; the actuals as the monitor's sql: computes them; join each forecast
 * to its series' actual of its target day; MASE's scale per series for each day and week window (one
 * ordered pass per series over its window starts and its day-over-day changes); then per day and per
 * week and model version the sums of every forecast metric. No slices by segment or horizon.
 */
function forecastSql(w: Warehouse, asOf: Date): string {
  const a = ts(asOf);
  const forecasts = `select prediction_id % ${FORECAST_SERIES} as series_id, predicted_at as forecast_at,
            date_trunc('day', predicted_at) + (1 + prediction_id % 7) * interval '1 day' as target_day, score, model_version
        from ${SCHEMA}.predictions
        where predicted_at <= ${a}`;
  // DuckDB dedupes in one hash aggregate; Postgres with row_number() (as in the binary lower bound)
  const deduped = w === 'duckdb'
    ? `select series_id, forecast_at, target_day, max(score) as score, arg_max(model_version, score) as model_version
    from (
        ${forecasts}
    ) as x
    group by series_id, forecast_at, target_day`
    : `select series_id, forecast_at, target_day, score, model_version
    from (
        select x.*, row_number() over (partition by series_id, forecast_at, target_day order by score desc) as rn
        from (
        ${forecasts}
        ) as x
    ) as ranked
    where rn = 1`;
  const double = w === 'duckdb' ? 'double' : 'double precision';
  // the point forecast and its interval and quantiles, as bench/project.ts derives them from the score
  const p = '3 * score';
  const sums = (scaled: string) => [
    'count(*) as n', `sum(${p}) as sum_prediction`, 'sum(actual) as sum_actual', `sum(${p} - actual) as sum_error`,
    `sum(abs(${p} - actual)) as sum_abs_error`, `sum((${p} - actual) * (${p} - actual)) as sum_sq_error`,
    'sum(case when actual <> 0 then 1 else 0 end) as n_nonzero', `sum(case when actual <> 0 then abs(${p} - actual) / abs(actual) end) as sum_ape`,
    `sum(case when abs(${p}) + abs(actual) = 0 then 0 else 2 * abs(${p} - actual) / (abs(${p}) + abs(actual)) end) as sum_sape`,
    'sum(abs(actual)) as sum_abs_actual', `count(${scaled}) as n_scaled`, `sum(${scaled}) as sum_scaled`,
    'sum(case when 2 * score <= actual and actual <= 5 * score then 1 else 0 end) as n_covered', 'sum(3 * score) as sum_width',
    `sum(3 * score + case when actual < 2 * score then 10 * (2 * score - actual) else 0 end + case when actual > 5 * score then 10 * (actual - 5 * score) else 0 end) as sum_interval_score`,
    ...[['0.1', '2 * score'], ['0.5', '3 * score'], ['0.9', '5 * score']].map(([q, f], i) =>
      `sum(case when actual >= ${f} then ${q} * (actual - ${f}) else (${q} - 1) * (actual - ${f}) end) as sum_pinball_${i}`),
  ].join(',\n    ');
  return `
with f as (
    ${deduped}
),
a as (
    select prediction_id % ${FORECAST_SERIES} as series_id, date_trunc('day', observed_at) as day, sum(label) as units
    from ${SCHEMA}.outcomes
    group by prediction_id % ${FORECAST_SERIES}, date_trunc('day', observed_at)
    having max(observed_at) <= ${a}
),
j as (
    select f.series_id, f.target_day, f.score, f.model_version, a.units as actual
    from f join a on a.series_id = f.series_id and a.day = f.target_day
),
pairs as (
    select a.series_id, a.day, abs(a.units - b.units) as change
    from a join a as b on b.series_id = a.series_id and b.day = a.day - interval '1 day'
),
stream as (
    select distinct series_id, 'day' as granularity, target_day as at_time, 0 as is_pair, cast(null as ${double}) as change from j
    union all
    select distinct series_id, 'week', date_trunc('week', target_day), 0, cast(null as ${double}) from j
    union all
    select series_id, null, day, 1, change from pairs
),
running as (
    select series_id, granularity, at_time, is_pair,
        sum(change) over (partition by series_id order by at_time, is_pair rows between unbounded preceding and current row) as total,
        sum(is_pair) over (partition by series_id order by at_time, is_pair rows between unbounded preceding and current row) as pairs_before
    from stream
),
scales as (
    select series_id, granularity, at_time as window_start, total / pairs_before as scale
    from running
    where is_pair = 0 and pairs_before > 0 and total > 0
),
e as (
    select j.*, abs(${p} - actual) / d.scale as scaled_day, abs(${p} - actual) / wk.scale as scaled_week
    from j
    left join scales as d on d.series_id = j.series_id and d.granularity = 'day' and d.window_start = j.target_day
    left join scales as wk on wk.series_id = j.series_id and wk.granularity = 'week' and wk.window_start = date_trunc('week', j.target_day)
)
select 'day' as granularity, target_day as window_start, model_version,
    ${sums('scaled_day')}
from e
group by target_day, model_version
union all
select 'week', date_trunc('week', target_day), model_version,
    ${sums('scaled_week')}
from e
group by date_trunc('week', target_day), model_version`;
}

/**
 * The recommendation monitor's lower bound (bench/project.ts: a list of 10 items per prediction event,
 * one interaction per outcome event, both through the monitor's own `sql:`): keep each request's latest
 * copy of its list; its relevant items (the interactions of its session within 14 days, highest
 * relevance per item); per evaluated request its hits, DCG and ideal DCG, average precision and first
 * hit for k = 5 and 10 (the list's ranks are its positions: they are 1-10 without ties); then per day
 * and per week and model version the sums of every metric, the distinct top-k items (coverage) against
 * the window's items, the interactions of the top-k items (popularity), and the top-k overlaps of
 * every pair of up to 1,000 sampled requests (personalization). No slices by segment. Distinct items
 * are grouped, then counted: with count(distinct …) this bound took 162 s on Postgres at 1M, 102 s
 * grouped (bench/results/2026-11-27-recommendation-*eleventh.json); 24.0 and 15.9 s of CPU on DuckDB.
 */
function recommendationSql(asOf: Date): string {
  const a = ts(asOf);
  const monitor = recommendationMonitorConfig();
  const log2 = (x: string) => `(ln(${x}) / ln(2))`;
  const ks = [5, 10];
  const within = `interval '${WITHIN_DAYS} days'`;
  const windowed = (g: string, t: string) => `'${g}' as granularity, date_trunc('${g}', ${t}) as window_start`;
  const perWindow = (select: (g: string) => string) => ['day', 'week'].map(select).join('\n    union all\n');
  return `
with lists as (
    select * from (
    ${monitor.predictions.sql}
    ) as x
    where predicted_at <= ${a}
),
interactions as (
    select * from (
    ${monitor.outcomes.sql}
    ) as x
    where observed_at <= ${a}
),
latest as (
    select prediction_id, max(predicted_at) as predicted_at
    from lists
    group by prediction_id
),
kept as (
    select lists.prediction_id, lists.predicted_at, lists.model_version, lists.position, lists.item_id
    from lists
    join latest on latest.prediction_id = lists.prediction_id and latest.predicted_at = lists.predicted_at
),
evaluated as (
    select distinct prediction_id, predicted_at, model_version
    from kept
    where predicted_at + ${within} <= ${a}
),
relevant as (
    select e.prediction_id, i.item_id, max(i.relevance) as gain
    from evaluated as e
    join interactions as i
        on i.prediction_id = e.prediction_id
        and i.observed_at between e.predicted_at and e.predicted_at + ${within}
    group by e.prediction_id, i.item_id
),
ideal as (
    select prediction_id, count(*) as relevant_items,
        ${ks.map((k) => `sum(case when ideal_position <= ${k} then gain / ${log2('ideal_position + 1')} else 0 end) as idcg_${k}`).join(',\n        ')}
    from (
        select prediction_id, gain, row_number() over (partition by prediction_id order by gain desc) as ideal_position
        from relevant
    ) as x
    group by prediction_id
),
hits as (
    select kept.prediction_id, kept.position, relevant.gain,
        row_number() over (partition by kept.prediction_id order by kept.position) as hits_through
    from kept
    join relevant on relevant.prediction_id = kept.prediction_id and relevant.item_id = kept.item_id
),
per_hits as (
    select prediction_id, min(position) as first_hit,
        ${ks.map((k) => `sum(case when position <= ${k} then 1 else 0 end) as hits_${k},
        sum(case when position <= ${k} then gain / ${log2('position + 1')} else 0 end) as dcg_${k},
        sum(case when position <= ${k} then hits_through * 1.0 / position else 0 end) as ap_sum_${k}`).join(',\n        ')}
    from hits
    group by prediction_id
),
per_request as (
    select e.prediction_id, e.predicted_at, e.model_version, coalesce(ideal.relevant_items, 0) as relevant_items, per_hits.first_hit,
        ${ks.map((k) => `coalesce(per_hits.hits_${k}, 0) as hits_${k}, per_hits.dcg_${k} / ideal.idcg_${k} as ndcg_${k},
        per_hits.ap_sum_${k} / least(${k}, ideal.relevant_items) as ap_${k}`).join(',\n        ')}
    from evaluated as e
    left join ideal on ideal.prediction_id = e.prediction_id
    left join per_hits on per_hits.prediction_id = e.prediction_id
),
request_windows as (
    ${perWindow((g) => `select ${windowed(g, 'predicted_at')}, per_request.* from per_request`)}
),
summary as (
    select granularity, window_start, model_version, count(*) as n, sum(case when relevant_items > 0 then 1 else 0 end) as n_observed,
        ${ks.map((k) => `sum(case when hits_${k} > 0 then 1 else 0 end) as hit_${k}, sum(hits_${k}) as hits_sum_${k},
        sum(case when relevant_items > 0 then hits_${k} * 1.0 / relevant_items end) as recall_sum_${k},
        sum(ndcg_${k}) as ndcg_sum_${k}, sum(ap_${k}) as ap_sum_${k},
        sum(case when first_hit <= ${k} then 1.0 / first_hit else 0 end) as rr_sum_${k}`).join(',\n        ')}
    from request_windows
    group by granularity, window_start, model_version
),
top_items as (
    select rw.granularity, rw.window_start, rw.model_version, rw.prediction_id, kept.item_id, kept.position
    from request_windows as rw
    join kept on kept.prediction_id = rw.prediction_id
),
window_items as (
    select granularity, window_start, count(*) as catalog_size
    from (
        select distinct granularity, window_start, item_id
        from (
            ${perWindow((g) => `select ${windowed(g, 'predicted_at')}, item_id from kept
            union all
            select ${windowed(g, 'observed_at')}, item_id from interactions`)}
        ) as x
    ) as distinct_items
    group by granularity, window_start
),
item_interactions as (
    ${perWindow((g) => `select ${windowed(g, 'observed_at')}, item_id, count(*) as interactions from interactions group by 1, 2, 3`)}
),
window_top_items as (
    select granularity, window_start, model_version, item_id, min(position) as best_position,
        ${ks.map((k) => `sum(case when position <= ${k} then 1 else 0 end) as slots_${k}`).join(', ')}
    from top_items
    group by granularity, window_start, model_version, item_id
),
per_item as (
    select t.granularity, t.window_start, t.model_version, max(w.catalog_size) as catalog_size,
        ${ks.map((k) => `sum(case when t.best_position <= ${k} then 1 else 0 end) as covered_${k},
        sum(t.slots_${k} * coalesce(ii.interactions, 0)) as interactions_${k}`).join(',\n        ')}
    from window_top_items as t
    join window_items as w on w.granularity = t.granularity and w.window_start = t.window_start
    left join item_interactions as ii on ii.granularity = t.granularity and ii.window_start = t.window_start and ii.item_id = t.item_id
    group by t.granularity, t.window_start, t.model_version
),
sampled as (
    select granularity, window_start, model_version, prediction_id, sample_rank
    from (
        select granularity, window_start, model_version, prediction_id,
            row_number() over (partition by granularity, window_start, model_version order by md5(cast(prediction_id as varchar)), prediction_id) as sample_rank
        from request_windows
    ) as x
    where sample_rank <= 1000
),
sample_items as (
    select s.granularity, s.window_start, s.model_version, s.sample_rank, kept.item_id, kept.position
    from sampled as s
    join kept on kept.prediction_id = s.prediction_id
),
pairs as (
    select a.granularity, a.window_start, a.model_version,
        ${ks.map((k) => `sum(case when a.position <= ${k} and b.position <= ${k} then 1 else 0 end) as overlap_${k}`).join(', ')}
    from sample_items as a
    join sample_items as b
        on b.granularity = a.granularity and b.window_start = a.window_start and b.model_version = a.model_version
        and b.item_id = a.item_id and a.sample_rank < b.sample_rank
    group by a.granularity, a.window_start, a.model_version, a.sample_rank, b.sample_rank
),
personalization as (
    select granularity, window_start, model_version,
        ${ks.map((k) => `sum(overlap_${k} * 1.0 / (${2 * k} - overlap_${k})) as jaccard_sum_${k}`).join(', ')}
    from pairs
    group by granularity, window_start, model_version
)
select summary.*, ${ks.map((k) => `per_item.covered_${k}, per_item.interactions_${k}, personalization.jaccard_sum_${k}`).join(', ')}, per_item.catalog_size
from summary
join per_item on per_item.granularity = summary.granularity and per_item.window_start = summary.window_start and per_item.model_version = summary.model_version
left join personalization on personalization.granularity = summary.granularity and personalization.window_start = summary.window_start and personalization.model_version = summary.model_version`;
}

/** The lower bound of `kind` (LowerBound above), as one select. */
export function lowerBoundSql(w: Warehouse, asOf = AS_OF_FULL, kind: LowerBound = 'binary'): string {
  if (kind === 'forecast') return forecastSql(w, asOf);
  if (kind === 'recommendation') return recommendationSql(asOf);
  const sliced = kind === 'sliced';
  const finish = kind === 'regression' ? regressionTail(w) : kind === 'multiclass' ? multiclassTail() : tail(sliced);
  // the segment columns ride along only for the sliced floor; the key, past the join, only for the
  // multiclass monitor's label class
  const segments = (f: (c: string) => string) => (sliced ? ['customer_type', 'region'].map((c) => `,\n        ${f(c)}`).join('') : '');
  const key = (c: string) => (kind === 'multiclass' ? `,\n        ${c}` : '');
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
        arg_max(o.label, epoch_ms(o.observed_at) * 2 + o.label) as label${segments((c) => `any_value(p.${c}) as ${c}`)}${key('p.prediction_id')}
    from p join ${SCHEMA}.outcomes as o
        on o.prediction_id = p.prediction_id
        and o.observed_at between p.predicted_at and p.predicted_at + interval ${WITHIN_DAYS} day
    where ${oWhere}
    group by p.prediction_id
),${finish}`;
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
        select p.predicted_at, p.score, p.model_version, o.label${segments((c) => `p.${c}`)}${key('p.prediction_id')},
            row_number() over (partition by p.prediction_id order by o.observed_at desc, o.label desc) as rn
        from p join ${SCHEMA}.outcomes as o
            on o.prediction_id = p.prediction_id
            and o.observed_at between p.predicted_at and p.predicted_at + interval '${WITHIN_DAYS} days'
        where ${oWhere}
    ) as x
    where rn = 1
),${finish}`;
}
