-- Forecast metrics of monitor weekly_demand, per window (of target_time), model version and slice:
-- overall, per segment and per horizon (1, 2, 4, 6).
-- Formulas are in macros/forecast.sql. Sums of doubles are exact (d.exactSum), so the values
-- never depend on row order.
-- Every metric is a sum over rows, so nothing reads a slice's rows: each evaluated forecast is
-- counted once per granularity, in a cell of its window, model version, segment values and horizon,
-- and the slices are added up from the cells, keyed by integers until they are named
-- (macros/slices.sql). Summing a copy of every row per slice, grouped by five text columns, took
-- 2.7x this step's CPU at 10M on DuckDB, 1.8x at 1M (docs/performance.md).
with segment_ranks as (
    select
        granularity,
        'category' as segment,
        window_start,
        segment_value,
        1 as segment_index,
        row_number() over (
            partition by granularity, window_start
            order by sum(n) desc, segment_value
        ) as value_rank
    from (
        select
            granularities.granularity,
            case granularities.granularity when 'week' then timestamp_trunc(days.day_start, isoweek) when 'month' then timestamp_trunc(days.day_start, month) end as window_start,
            days.segment_value,
            days.n
        from (
            select timestamp_trunc(predicted_at, day) as day_start, `category` as segment_value, count(*) as n
            from `hs_weekly_demand__forecast_rows`
            -- (a value spelled like the fold bucket folds into it: one __other__ group per window)
            where `category` is not null and `category` <> '__other__'
            group by 1, 2
        ) as days
        cross join (
            select 'week' as granularity union all
            select 'month' as granularity
        ) as granularities
    ) as segment_values
    group by granularity, window_start, segment_value
    union all
    select
        granularity,
        'region' as segment,
        window_start,
        segment_value,
        2 as segment_index,
        row_number() over (
            partition by granularity, window_start
            order by sum(n) desc, segment_value
        ) as value_rank
    from (
        select
            granularities.granularity,
            case granularities.granularity when 'week' then timestamp_trunc(days.day_start, isoweek) when 'month' then timestamp_trunc(days.day_start, month) end as window_start,
            days.segment_value,
            days.n
        from (
            select timestamp_trunc(predicted_at, day) as day_start, `region` as segment_value, count(*) as n
            from `hs_weekly_demand__forecast_rows`
            -- (a value spelled like the fold bucket folds into it: one __other__ group per window)
            where `region` is not null and `region` <> '__other__'
            group by 1, 2
        ) as days
        cross join (
            select 'week' as granularity union all
            select 'month' as granularity
        ) as granularities
    ) as segment_values
    group by granularity, window_start, segment_value

),

model_versions as (
    select model_version, row_number() over (order by model_version) as version_index
    from (select distinct model_version from `hs_weekly_demand__evaluations` where model_version is not null) as versions

),

cell_rows as (
    select
        timestamp_trunc(evaluated.predicted_at, isoweek) as window_start,
        (coalesce(versions.version_index, 0) * 2 + 0) * 156 as base_key,
        case
            when evaluated.`category` is null then 0
            when ranks_1.value_rank <= 50 then ranks_1.value_rank
            else 51
        end as value_1,
        case
            when evaluated.`region` is null then 0
            when ranks_2.value_rank <= 50 then ranks_2.value_rank
            else 51
        end as value_2,
        evaluated.prediction as prediction,
        evaluated.actual as actual,
        evaluated.interval_lower as interval_lower,
        evaluated.interval_upper as interval_upper,
        evaluated.`p10` as `p10`,
        evaluated.`p50` as `p50`,
        evaluated.`p90` as `p90`,
        case when evaluated.horizon in (1, 2, 4, 6) then evaluated.horizon end as horizon,
        evaluated.hs_scale_0 as hs_scale_0,
        evaluated.hs_scale_1 as hs_scale_1
    from `hs_weekly_demand__forecast_rows` as evaluated
    left join model_versions as versions
        on versions.model_version = evaluated.model_version
    left join segment_ranks as ranks_1
        on ranks_1.granularity = 'week'
        and ranks_1.segment = 'category'
        and ranks_1.window_start = timestamp_trunc(evaluated.predicted_at, isoweek)
        and ranks_1.segment_value = evaluated.`category`
    left join segment_ranks as ranks_2
        on ranks_2.granularity = 'week'
        and ranks_2.segment = 'region'
        and ranks_2.window_start = timestamp_trunc(evaluated.predicted_at, isoweek)
        and ranks_2.segment_value = evaluated.`region`
    where evaluated.label_status = 'observed' and evaluated.prediction is not null
    union all
    select
        timestamp_trunc(evaluated.predicted_at, month) as window_start,
        (coalesce(versions.version_index, 0) * 2 + 1) * 156 as base_key,
        case
            when evaluated.`category` is null then 0
            when ranks_1.value_rank <= 50 then ranks_1.value_rank
            else 51
        end as value_1,
        case
            when evaluated.`region` is null then 0
            when ranks_2.value_rank <= 50 then ranks_2.value_rank
            else 51
        end as value_2,
        evaluated.prediction as prediction,
        evaluated.actual as actual,
        evaluated.interval_lower as interval_lower,
        evaluated.interval_upper as interval_upper,
        evaluated.`p10` as `p10`,
        evaluated.`p50` as `p50`,
        evaluated.`p90` as `p90`,
        case when evaluated.horizon in (1, 2, 4, 6) then evaluated.horizon end as horizon,
        evaluated.hs_scale_0 as hs_scale_0,
        evaluated.hs_scale_1 as hs_scale_1
    from `hs_weekly_demand__forecast_rows` as evaluated
    left join model_versions as versions
        on versions.model_version = evaluated.model_version
    left join segment_ranks as ranks_1
        on ranks_1.granularity = 'month'
        and ranks_1.segment = 'category'
        and ranks_1.window_start = timestamp_trunc(evaluated.predicted_at, month)
        and ranks_1.segment_value = evaluated.`category`
    left join segment_ranks as ranks_2
        on ranks_2.granularity = 'month'
        and ranks_2.segment = 'region'
        and ranks_2.window_start = timestamp_trunc(evaluated.predicted_at, month)
        and ranks_2.segment_value = evaluated.`region`
    where evaluated.label_status = 'observed' and evaluated.prediction is not null

),

-- one cell per window, model version, combination of segment values and horizon (NULL for the
-- horizons without rows of their own); each row's absolute error over its series' scale in the
-- cell's granularity (NULL without enough history)
cells as (
    select
        window_start, base_key, value_1, value_2, horizon,
        count(*) as n,
        sum(cast(prediction as bignumeric)) as sum_prediction,
        sum(cast(actual as bignumeric)) as sum_actual,
        sum(cast(prediction - actual as bignumeric)) as sum_error,
        sum(cast(abs(prediction - actual) as bignumeric)) as sum_abs_error,
        sum(cast((prediction - actual) * (prediction - actual) as bignumeric)) as sum_sq_error,
        sum(case when actual <> 0 then 1 else 0 end) as n_nonzero,
        sum(cast(case when actual <> 0 then abs(prediction - actual) / abs(actual) end as bignumeric)) as sum_ape,
        sum(cast(case when abs(prediction) + abs(actual) = 0 then 0 else 2 * abs(prediction - actual) / (abs(prediction) + abs(actual)) end as bignumeric)) as sum_sape,
        sum(cast(abs(actual) as bignumeric)) as sum_abs_actual,
        count(scaled_error) as n_scaled,
        sum(cast(scaled_error as bignumeric)) as sum_scaled,
        sum(case when interval_lower is not null and interval_upper is not null then 1 else 0 end) as n_interval,
        sum(case when interval_lower <= actual and actual <= interval_upper then 1 else 0 end) as n_covered,
        sum(cast(interval_upper - interval_lower as bignumeric)) as sum_width,
        sum(cast((interval_upper - interval_lower) + case when actual < interval_lower then cast(2 as float64) / (1 - 0.8) * (interval_lower - actual) else 0 end + case when actual > interval_upper then cast(2 as float64) / (1 - 0.8) * (actual - interval_upper) else 0 end as bignumeric)) as sum_interval_score,
        count(`p10`) as n_q0,
        sum(cast(case when actual >= `p10` then 0.1 * (actual - `p10`) else (0.1 - 1) * (actual - `p10`) end as bignumeric)) as sum_pinball_q0,
        count(`p50`) as n_q1,
        sum(cast(case when actual >= `p50` then 0.5 * (actual - `p50`) else (0.5 - 1) * (actual - `p50`) end as bignumeric)) as sum_pinball_q1,
        count(`p90`) as n_q2,
        sum(cast(case when actual >= `p90` then 0.9 * (actual - `p90`) else (0.9 - 1) * (actual - `p90`) end as bignumeric)) as sum_pinball_q2

    from (
        select
            cell_rows.*,
            abs(prediction - actual) / case mod(div(base_key, 156), 2) when 0 then hs_scale_0 when 1 then hs_scale_1 end as scaled_error
        from cell_rows
    ) as terms
    group by window_start, base_key, value_1, value_2, horizon
),

-- the cells under each slice's key (slice_key: macros/slices.sql)
keyed_cells as (
    select window_start, base_key as slice_key, n, sum_prediction, sum_actual, sum_error, sum_abs_error, sum_sq_error, n_nonzero, sum_ape, sum_sape, sum_abs_actual, n_scaled, sum_scaled, n_interval, n_covered, sum_width, sum_interval_score, n_q0, sum_pinball_q0, n_q1, sum_pinball_q1, n_q2, sum_pinball_q2
    from cells
    union all
    select window_start, base_key + 52 + value_1, n, sum_prediction, sum_actual, sum_error, sum_abs_error, sum_sq_error, n_nonzero, sum_ape, sum_sape, sum_abs_actual, n_scaled, sum_scaled, n_interval, n_covered, sum_width, sum_interval_score, n_q0, sum_pinball_q0, n_q1, sum_pinball_q1, n_q2, sum_pinball_q2
    from cells
    union all
    select window_start, base_key + 104 + value_2, n, sum_prediction, sum_actual, sum_error, sum_abs_error, sum_sq_error, n_nonzero, sum_ape, sum_sape, sum_abs_actual, n_scaled, sum_scaled, n_interval, n_covered, sum_width, sum_interval_score, n_q0, sum_pinball_q0, n_q1, sum_pinball_q1, n_q2, sum_pinball_q2
    from cells

),

-- each group's sums: the slices of macros/slices.sql, then per horizon (never folded)
totals as (
    select
        window_start, slice_key, cast(null as int64) as horizon,
        cast(sum(n) as int64) as n,
        sum(sum_prediction) as sum_prediction,
        sum(sum_actual) as sum_actual,
        sum(sum_error) as sum_error,
        sum(sum_abs_error) as sum_abs_error,
        sum(sum_sq_error) as sum_sq_error,
        cast(sum(n_nonzero) as int64) as n_nonzero,
        sum(sum_ape) as sum_ape,
        sum(sum_sape) as sum_sape,
        sum(sum_abs_actual) as sum_abs_actual,
        cast(sum(n_scaled) as int64) as n_scaled,
        sum(sum_scaled) as sum_scaled,
        cast(sum(n_interval) as int64) as n_interval,
        cast(sum(n_covered) as int64) as n_covered,
        sum(sum_width) as sum_width,
        sum(sum_interval_score) as sum_interval_score,
        cast(sum(n_q0) as int64) as n_q0,
        sum(sum_pinball_q0) as sum_pinball_q0,
        cast(sum(n_q1) as int64) as n_q1,
        sum(sum_pinball_q1) as sum_pinball_q1,
        cast(sum(n_q2) as int64) as n_q2,
        sum(sum_pinball_q2) as sum_pinball_q2

    from keyed_cells
    group by window_start, slice_key
    union all
    select
        window_start, base_key, horizon,
        cast(sum(n) as int64) as n,
        sum(sum_prediction) as sum_prediction,
        sum(sum_actual) as sum_actual,
        sum(sum_error) as sum_error,
        sum(sum_abs_error) as sum_abs_error,
        sum(sum_sq_error) as sum_sq_error,
        cast(sum(n_nonzero) as int64) as n_nonzero,
        sum(sum_ape) as sum_ape,
        sum(sum_sape) as sum_sape,
        sum(sum_abs_actual) as sum_abs_actual,
        cast(sum(n_scaled) as int64) as n_scaled,
        sum(sum_scaled) as sum_scaled,
        cast(sum(n_interval) as int64) as n_interval,
        cast(sum(n_covered) as int64) as n_covered,
        sum(sum_width) as sum_width,
        sum(sum_interval_score) as sum_interval_score,
        cast(sum(n_q0) as int64) as n_q0,
        sum(sum_pinball_q0) as sum_pinball_q0,
        cast(sum(n_q1) as int64) as n_q1,
        sum(sum_pinball_q1) as sum_pinball_q1,
        cast(sum(n_q2) as int64) as n_q2,
        sum(sum_pinball_q2) as sum_pinball_q2

    from cells
    where horizon is not null
    group by window_start, base_key, horizon
),

named_groups as (
    select
        case mod(div(keyed.slice_key, 156), 2) when 0 then 'week' when 1 then 'month' end as granularity,
        keyed.window_start,
        versions.model_version,
        case mod(div(keyed.slice_key, 52), 3) when 1 then 'category' when 2 then 'region' end as segment,
        case
            when mod(keyed.slice_key, 52) = 0 then cast(null as string)
            when mod(keyed.slice_key, 52) = 51 then '__other__'
            else ranks.segment_value
        end as segment_value,
        keyed.horizon, keyed.n, keyed.sum_prediction, keyed.sum_actual, keyed.sum_error, keyed.sum_abs_error, keyed.sum_sq_error, keyed.n_nonzero, keyed.sum_ape, keyed.sum_sape, keyed.sum_abs_actual, keyed.n_scaled, keyed.sum_scaled, keyed.n_interval, keyed.n_covered, keyed.sum_width, keyed.sum_interval_score, keyed.n_q0, keyed.sum_pinball_q0, keyed.n_q1, keyed.sum_pinball_q1, keyed.n_q2, keyed.sum_pinball_q2
    from totals as keyed
    left join model_versions as versions
        on versions.version_index = div(keyed.slice_key, 312)
    left join segment_ranks as ranks
        on ranks.window_start = keyed.window_start
        and ranks.granularity = case mod(div(keyed.slice_key, 156), 2) when 0 then 'week' when 1 then 'month' end
        and ranks.segment_index = mod(div(keyed.slice_key, 52), 3)
        and ranks.value_rank = mod(keyed.slice_key, 52)

),

summary as (
    select
        granularity,
        window_start,
        model_version,
        case when horizon is null then segment else 'horizon' end as segment,
        case when horizon is null then segment_value else cast(horizon as string) end as segment_value,
        n,
        sum_prediction,
        sum_actual,
        sum_error,
        sum_abs_error,
        sum_sq_error,
        n_nonzero,
        sum_ape,
        sum_sape,
        sum_abs_actual,
        n_scaled,
        sum_scaled,
        n_interval,
        n_covered,
        sum_width,
        sum_interval_score,
        n_q0,
        sum_pinball_q0,
        n_q1,
        sum_pinball_q1,
        n_q2,
        sum_pinball_q2
    from named_groups
)

select
    granularity, window_start, model_version, segment, segment_value,
    'count' as metric,
    cast(null as string) as qualifier,
    cast(n as float64) as value,
    cast(n as int64) as sample_size
from summary
union all
select
    granularity, window_start, model_version, segment, segment_value,
    'mean_prediction' as metric,
    cast(null as string) as qualifier,
    cast(safe_divide(cast(sum_prediction as float64), n) as float64) as value,
    cast(n as int64) as sample_size
from summary
union all
select
    granularity, window_start, model_version, segment, segment_value,
    'mean_actual' as metric,
    cast(null as string) as qualifier,
    cast(safe_divide(cast(sum_actual as float64), n) as float64) as value,
    cast(n as int64) as sample_size
from summary
union all
select
    granularity, window_start, model_version, segment, segment_value,
    'bias' as metric,
    cast(null as string) as qualifier,
    cast(safe_divide(cast(sum_error as float64), n) as float64) as value,
    cast(n as int64) as sample_size
from summary
union all
select
    granularity, window_start, model_version, segment, segment_value,
    'mae' as metric,
    cast(null as string) as qualifier,
    cast(safe_divide(cast(sum_abs_error as float64), n) as float64) as value,
    cast(n as int64) as sample_size
from summary
union all
select
    granularity, window_start, model_version, segment, segment_value,
    'rmse' as metric,
    cast(null as string) as qualifier,
    cast(sqrt(safe_divide(cast(sum_sq_error as float64), n)) as float64) as value,
    cast(n as int64) as sample_size
from summary
union all
select
    granularity, window_start, model_version, segment, segment_value,
    'mape' as metric,
    cast(null as string) as qualifier,
    cast(safe_divide(cast(sum_ape as float64), n_nonzero) as float64) as value,
    cast(n_nonzero as int64) as sample_size
from summary
union all
select
    granularity, window_start, model_version, segment, segment_value,
    'smape' as metric,
    cast(null as string) as qualifier,
    cast(safe_divide(cast(sum_sape as float64), n) as float64) as value,
    cast(n as int64) as sample_size
from summary
union all
select
    granularity, window_start, model_version, segment, segment_value,
    'wape' as metric,
    cast(null as string) as qualifier,
    cast(safe_divide(cast(sum_abs_error as float64), sum_abs_actual) as float64) as value,
    cast(n as int64) as sample_size
from summary
union all
select
    granularity, window_start, model_version, segment, segment_value,
    'mase' as metric,
    cast(null as string) as qualifier,
    cast(safe_divide(cast(sum_scaled as float64), n_scaled) as float64) as value,
    cast(n_scaled as int64) as sample_size
from summary
union all
select
    granularity, window_start, model_version, segment, segment_value,
    'interval_coverage' as metric,
    cast(null as string) as qualifier,
    cast(safe_divide(cast(n_covered as float64), n_interval) as float64) as value,
    cast(n_interval as int64) as sample_size
from summary
union all
select
    granularity, window_start, model_version, segment, segment_value,
    'interval_width' as metric,
    cast(null as string) as qualifier,
    cast(safe_divide(cast(sum_width as float64), n_interval) as float64) as value,
    cast(n_interval as int64) as sample_size
from summary
union all
select
    granularity, window_start, model_version, segment, segment_value,
    'interval_score' as metric,
    cast(null as string) as qualifier,
    cast(safe_divide(cast(sum_interval_score as float64), n_interval) as float64) as value,
    cast(n_interval as int64) as sample_size
from summary
union all
select
    granularity, window_start, model_version, segment, segment_value,
    'pinball_loss' as metric,
    '0.1' as qualifier,
    cast(safe_divide(cast(sum_pinball_q0 as float64), n_q0) as float64) as value,
    cast(n_q0 as int64) as sample_size
from summary
union all
select
    granularity, window_start, model_version, segment, segment_value,
    'pinball_loss' as metric,
    '0.5' as qualifier,
    cast(safe_divide(cast(sum_pinball_q1 as float64), n_q1) as float64) as value,
    cast(n_q1 as int64) as sample_size
from summary
union all
select
    granularity, window_start, model_version, segment, segment_value,
    'pinball_loss' as metric,
    '0.9' as qualifier,
    cast(safe_divide(cast(sum_pinball_q2 as float64), n_q2) as float64) as value,
    cast(n_q2 as int64) as sample_size
from summary
union all
-- the mean over quantiles of their pinball loss, quantiles without a forecast left out
select
    granularity, window_start, model_version, segment, segment_value,
    'mean_pinball_loss' as metric,
    cast(null as string) as qualifier,
    cast((coalesce(safe_divide(cast(sum_pinball_q0 as float64), n_q0), 0) + coalesce(safe_divide(cast(sum_pinball_q1 as float64), n_q1), 0) + coalesce(safe_divide(cast(sum_pinball_q2 as float64), n_q2), 0)) / nullif(case when n_q0 > 0 then 1 else 0 end + case when n_q1 > 0 then 1 else 0 end + case when n_q2 > 0 then 1 else 0 end, 0) as float64) as value,
    cast(greatest(n_q0, n_q1, n_q2) as int64) as sample_size
from summary
