-- Forecast metrics of monitor weekly_demand, per window (of target_time), model version and slice:
-- overall, per segment and per horizon (1, 2, 4, 6).
-- Formulas are in macros/forecast.sql. Sums of doubles are exact (d.exactSum), so the values
-- never depend on row order.
with forecast_rows as (
    -- the evaluations as the slicing macros read them: predicted_at places a row in its window,
    -- segments are text, the series columns are carried under fixed names for MASE's scale
    select
        target_time as predicted_at,
        model_version,
        label_status,
        horizon,
        "store_id" as hs_series_0,
        "category" as hs_series_1,
        cast("category" as text) as "category",
        "region" as "region",
        prediction,
        actual,
        interval_lower,
        interval_upper,
        "p10",
        "p50",
        "p90"
    from "hindsight"."hs_weekly_demand__evaluations_00000000"
),

segment_ranks as (
    select
        'week' as granularity,
        'category' as segment,
        window_start,
        segment_value,
        1 as segment_index,
        row_number() over (
            partition by window_start
            order by count(*) desc, segment_value collate "C"
        ) as value_rank
    from (
        select date_trunc('week', predicted_at) as window_start, "category" as segment_value
        from forecast_rows
        where "category" is not null
    ) as segment_values
    group by window_start, segment_value
    union all
    select
        'week' as granularity,
        'region' as segment,
        window_start,
        segment_value,
        2 as segment_index,
        row_number() over (
            partition by window_start
            order by count(*) desc, segment_value collate "C"
        ) as value_rank
    from (
        select date_trunc('week', predicted_at) as window_start, "region" as segment_value
        from forecast_rows
        where "region" is not null
    ) as segment_values
    group by window_start, segment_value
    union all
    select
        'month' as granularity,
        'category' as segment,
        window_start,
        segment_value,
        1 as segment_index,
        row_number() over (
            partition by window_start
            order by count(*) desc, segment_value collate "C"
        ) as value_rank
    from (
        select date_trunc('month', predicted_at) as window_start, "category" as segment_value
        from forecast_rows
        where "category" is not null
    ) as segment_values
    group by window_start, segment_value
    union all
    select
        'month' as granularity,
        'region' as segment,
        window_start,
        segment_value,
        2 as segment_index,
        row_number() over (
            partition by window_start
            order by count(*) desc, segment_value collate "C"
        ) as value_rank
    from (
        select date_trunc('month', predicted_at) as window_start, "region" as segment_value
        from forecast_rows
        where "region" is not null
    ) as segment_values
    group by window_start, segment_value

),

sliced as (
    select
        'week' as granularity,
        date_trunc('week', evaluated.predicted_at) as window_start,
        evaluated.model_version,
        cast(null as text) as segment,
        cast(null as text) as segment_value,
        evaluated.hs_series_0, evaluated.hs_series_1, evaluated.prediction, evaluated.actual, evaluated.interval_lower, evaluated.interval_upper, evaluated."p10", evaluated."p50", evaluated."p90"
    from forecast_rows as evaluated
    where evaluated.label_status = 'observed' and evaluated.prediction is not null
    union all
    select
        'week',
        date_trunc('week', evaluated.predicted_at),
        evaluated.model_version,
        'category',
        case
            when evaluated."category" is null then null
            when ranks.value_rank <= 50 then evaluated."category"
            else '__other__'
        end,
        evaluated.hs_series_0, evaluated.hs_series_1, evaluated.prediction, evaluated.actual, evaluated.interval_lower, evaluated.interval_upper, evaluated."p10", evaluated."p50", evaluated."p90"
    from forecast_rows as evaluated
    left join segment_ranks as ranks
        on ranks.granularity = 'week'
        and ranks.segment = 'category'
        and ranks.window_start = date_trunc('week', evaluated.predicted_at)
        and ranks.segment_value = evaluated."category"
    where evaluated.label_status = 'observed' and evaluated.prediction is not null
    union all
    select
        'week',
        date_trunc('week', evaluated.predicted_at),
        evaluated.model_version,
        'region',
        case
            when evaluated."region" is null then null
            when ranks.value_rank <= 50 then evaluated."region"
            else '__other__'
        end,
        evaluated.hs_series_0, evaluated.hs_series_1, evaluated.prediction, evaluated.actual, evaluated.interval_lower, evaluated.interval_upper, evaluated."p10", evaluated."p50", evaluated."p90"
    from forecast_rows as evaluated
    left join segment_ranks as ranks
        on ranks.granularity = 'week'
        and ranks.segment = 'region'
        and ranks.window_start = date_trunc('week', evaluated.predicted_at)
        and ranks.segment_value = evaluated."region"
    where evaluated.label_status = 'observed' and evaluated.prediction is not null
    union all
    select
        'month' as granularity,
        date_trunc('month', evaluated.predicted_at) as window_start,
        evaluated.model_version,
        cast(null as text) as segment,
        cast(null as text) as segment_value,
        evaluated.hs_series_0, evaluated.hs_series_1, evaluated.prediction, evaluated.actual, evaluated.interval_lower, evaluated.interval_upper, evaluated."p10", evaluated."p50", evaluated."p90"
    from forecast_rows as evaluated
    where evaluated.label_status = 'observed' and evaluated.prediction is not null
    union all
    select
        'month',
        date_trunc('month', evaluated.predicted_at),
        evaluated.model_version,
        'category',
        case
            when evaluated."category" is null then null
            when ranks.value_rank <= 50 then evaluated."category"
            else '__other__'
        end,
        evaluated.hs_series_0, evaluated.hs_series_1, evaluated.prediction, evaluated.actual, evaluated.interval_lower, evaluated.interval_upper, evaluated."p10", evaluated."p50", evaluated."p90"
    from forecast_rows as evaluated
    left join segment_ranks as ranks
        on ranks.granularity = 'month'
        and ranks.segment = 'category'
        and ranks.window_start = date_trunc('month', evaluated.predicted_at)
        and ranks.segment_value = evaluated."category"
    where evaluated.label_status = 'observed' and evaluated.prediction is not null
    union all
    select
        'month',
        date_trunc('month', evaluated.predicted_at),
        evaluated.model_version,
        'region',
        case
            when evaluated."region" is null then null
            when ranks.value_rank <= 50 then evaluated."region"
            else '__other__'
        end,
        evaluated.hs_series_0, evaluated.hs_series_1, evaluated.prediction, evaluated.actual, evaluated.interval_lower, evaluated.interval_upper, evaluated."p10", evaluated."p50", evaluated."p90"
    from forecast_rows as evaluated
    left join segment_ranks as ranks
        on ranks.granularity = 'month'
        and ranks.segment = 'region'
        and ranks.window_start = date_trunc('month', evaluated.predicted_at)
        and ranks.segment_value = evaluated."region"
    where evaluated.label_status = 'observed' and evaluated.prediction is not null

    union all
    -- per horizon, never folded
    select
        'week',
        date_trunc('week', evaluated.predicted_at),
        evaluated.model_version,
        'horizon',
        cast(evaluated.horizon as text),
        evaluated.hs_series_0, evaluated.hs_series_1, evaluated.prediction, evaluated.actual, evaluated.interval_lower, evaluated.interval_upper, evaluated."p10", evaluated."p50", evaluated."p90"
    from forecast_rows as evaluated
    where evaluated.label_status = 'observed' and evaluated.prediction is not null and evaluated.horizon in (1, 2, 4, 6)
    union all
    select
        'month',
        date_trunc('month', evaluated.predicted_at),
        evaluated.model_version,
        'horizon',
        cast(evaluated.horizon as text),
        evaluated.hs_series_0, evaluated.hs_series_1, evaluated.prediction, evaluated.actual, evaluated.interval_lower, evaluated.interval_upper, evaluated."p10", evaluated."p50", evaluated."p90"
    from forecast_rows as evaluated
    where evaluated.label_status = 'observed' and evaluated.prediction is not null and evaluated.horizon in (1, 2, 4, 6)

),

-- each row's absolute error over its series' scale for the window (NULL without enough history)
scaled as (
    select
        sliced.*,
        prediction - actual as error,
        abs(prediction - actual) as abs_error,
        abs(prediction - actual) / scales.scale as scaled_error
    from sliced
    left join "hs_weekly_demand__mase_scales" as scales
        on scales.granularity = sliced.granularity
        and scales.window_start = sliced.window_start
        and scales."store_id" = sliced.hs_series_0
        and scales."category" = sliced.hs_series_1
),

summary as (
    select
        granularity, window_start, model_version, segment, segment_value,
        count(*) as n,
        sum(cast(prediction as decimal(38, 15))) as sum_prediction,
        sum(cast(actual as decimal(38, 15))) as sum_actual,
        sum(cast(error as decimal(38, 15))) as sum_error,
        sum(cast(abs_error as decimal(38, 15))) as sum_abs_error,
        sum(cast(error * error as decimal(38, 15))) as sum_sq_error,
        sum(case when actual <> 0 then 1 else 0 end) as n_nonzero,
        sum(cast(case when actual <> 0 then abs_error / abs(actual) end as decimal(38, 15))) as sum_ape,
        sum(cast(case when abs(prediction) + abs(actual) = 0 then 0 else 2 * abs_error / (abs(prediction) + abs(actual)) end as decimal(38, 15))) as sum_sape,
        sum(cast(abs(actual) as decimal(38, 15))) as sum_abs_actual,
        count(scaled_error) as n_scaled,
        sum(cast(scaled_error as decimal(38, 15))) as sum_scaled,
        sum(case when interval_lower is not null and interval_upper is not null then 1 else 0 end) as n_interval,
        sum(case when interval_lower <= actual and actual <= interval_upper then 1 else 0 end) as n_covered,
        sum(cast(interval_upper - interval_lower as decimal(38, 15))) as sum_width,
        sum(cast((interval_upper - interval_lower) + case when actual < interval_lower then 2 / (1 - 0.8) * (interval_lower - actual) else 0 end + case when actual > interval_upper then 2 / (1 - 0.8) * (actual - interval_upper) else 0 end as decimal(38, 15))) as sum_interval_score,
        count("p10") as n_q0,
        sum(cast(case when actual >= "p10" then 0.1 * (actual - "p10") else (0.1 - 1) * (actual - "p10") end as decimal(38, 15))) as sum_pinball_q0,
        count("p50") as n_q1,
        sum(cast(case when actual >= "p50" then 0.5 * (actual - "p50") else (0.5 - 1) * (actual - "p50") end as decimal(38, 15))) as sum_pinball_q1,
        count("p90") as n_q2,
        sum(cast(case when actual >= "p90" then 0.9 * (actual - "p90") else (0.9 - 1) * (actual - "p90") end as decimal(38, 15))) as sum_pinball_q2
    from scaled
    group by granularity, window_start, model_version, segment, segment_value
)

select
    granularity, window_start, model_version, segment, segment_value,
    'count' as metric,
    cast(null as text) as qualifier,
    cast(n as double precision) as value,
    cast(n as bigint) as sample_size
from summary
union all
select
    granularity, window_start, model_version, segment, segment_value,
    'mean_prediction' as metric,
    cast(null as text) as qualifier,
    cast(cast(sum_prediction as double precision) / nullif(n, 0) as double precision) as value,
    cast(n as bigint) as sample_size
from summary
union all
select
    granularity, window_start, model_version, segment, segment_value,
    'mean_actual' as metric,
    cast(null as text) as qualifier,
    cast(cast(sum_actual as double precision) / nullif(n, 0) as double precision) as value,
    cast(n as bigint) as sample_size
from summary
union all
select
    granularity, window_start, model_version, segment, segment_value,
    'bias' as metric,
    cast(null as text) as qualifier,
    cast(cast(sum_error as double precision) / nullif(n, 0) as double precision) as value,
    cast(n as bigint) as sample_size
from summary
union all
select
    granularity, window_start, model_version, segment, segment_value,
    'mae' as metric,
    cast(null as text) as qualifier,
    cast(cast(sum_abs_error as double precision) / nullif(n, 0) as double precision) as value,
    cast(n as bigint) as sample_size
from summary
union all
select
    granularity, window_start, model_version, segment, segment_value,
    'rmse' as metric,
    cast(null as text) as qualifier,
    cast(sqrt(cast(sum_sq_error as double precision) / nullif(n, 0)) as double precision) as value,
    cast(n as bigint) as sample_size
from summary
union all
select
    granularity, window_start, model_version, segment, segment_value,
    'mape' as metric,
    cast(null as text) as qualifier,
    cast(cast(sum_ape as double precision) / nullif(n_nonzero, 0) as double precision) as value,
    cast(n_nonzero as bigint) as sample_size
from summary
union all
select
    granularity, window_start, model_version, segment, segment_value,
    'smape' as metric,
    cast(null as text) as qualifier,
    cast(cast(sum_sape as double precision) / nullif(n, 0) as double precision) as value,
    cast(n as bigint) as sample_size
from summary
union all
select
    granularity, window_start, model_version, segment, segment_value,
    'wape' as metric,
    cast(null as text) as qualifier,
    cast(cast(sum_abs_error as double precision) / nullif(sum_abs_actual, 0) as double precision) as value,
    cast(n as bigint) as sample_size
from summary
union all
select
    granularity, window_start, model_version, segment, segment_value,
    'mase' as metric,
    cast(null as text) as qualifier,
    cast(cast(sum_scaled as double precision) / nullif(n_scaled, 0) as double precision) as value,
    cast(n_scaled as bigint) as sample_size
from summary
union all
select
    granularity, window_start, model_version, segment, segment_value,
    'interval_coverage' as metric,
    cast(null as text) as qualifier,
    cast(cast(n_covered as double precision) / nullif(n_interval, 0) as double precision) as value,
    cast(n_interval as bigint) as sample_size
from summary
union all
select
    granularity, window_start, model_version, segment, segment_value,
    'interval_width' as metric,
    cast(null as text) as qualifier,
    cast(cast(sum_width as double precision) / nullif(n_interval, 0) as double precision) as value,
    cast(n_interval as bigint) as sample_size
from summary
union all
select
    granularity, window_start, model_version, segment, segment_value,
    'interval_score' as metric,
    cast(null as text) as qualifier,
    cast(cast(sum_interval_score as double precision) / nullif(n_interval, 0) as double precision) as value,
    cast(n_interval as bigint) as sample_size
from summary
union all
select granularity, window_start, model_version, segment, segment_value, 'pinball_loss', '0.1', cast(sum_pinball_q0 as double precision) / nullif(n_q0, 0), cast(n_q0 as bigint)
from summary
union all
select granularity, window_start, model_version, segment, segment_value, 'pinball_loss', '0.5', cast(sum_pinball_q1 as double precision) / nullif(n_q1, 0), cast(n_q1 as bigint)
from summary
union all
select granularity, window_start, model_version, segment, segment_value, 'pinball_loss', '0.9', cast(sum_pinball_q2 as double precision) / nullif(n_q2, 0), cast(n_q2 as bigint)
from summary
union all
-- the mean over quantiles of their pinball loss, quantiles without a forecast left out
select
    granularity, window_start, model_version, segment, segment_value,
    'mean_pinball_loss',
    cast(null as text),
    (coalesce(cast(sum_pinball_q0 as double precision) / nullif(n_q0, 0), 0) + coalesce(cast(sum_pinball_q1 as double precision) / nullif(n_q1, 0), 0) + coalesce(cast(sum_pinball_q2 as double precision) / nullif(n_q2, 0), 0)) / nullif(case when n_q0 > 0 then 1 else 0 end + case when n_q1 > 0 then 1 else 0 end + case when n_q2 > 0 then 1 else 0 end, 0),
    cast(greatest(n_q0, n_q1, n_q2) as bigint)
from summary
