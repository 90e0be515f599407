-- Data-quality rows of forecast monitor weekly_demand (docs/semantics.md §5d): forecast rows read and
-- removed as duplicates, how many actuals arrived and how late, and which actuals no forecast has.
-- Windows are by target_time, like the metrics.
with counts as (
    -- forecast rows, counted per day of their target time and model version and added up into each
    -- granularity's windows (macros/windows.sql)
    select
        granularities.granularity,
        case granularities.granularity when 'week' then timestamp_trunc(days.day_start, isoweek) when 'month' then timestamp_trunc(days.day_start, month) end as window_start,
        days.model_version,
        days.prediction_events,
        days.duplicates_removed,
        0 as observed,
        0 as pending,
        0 as missing,
        0 as outcomes_late,
        0 as outcomes_early,
        cast(null as float64) as label_delay_p50,
        cast(null as float64) as label_delay_p90
    from (
        select
            timestamp_trunc(target_time, day) as day_start,
            model_version,
            count(*) as prediction_events,
            sum(case when duplicate_rank > 1 then 1 else 0 end) as duplicates_removed
        from `hs_weekly_demand__prediction_events`
        group by 1, 2
    ) as days
    cross join (
        select 'week' as granularity union all
        select 'month' as granularity
    ) as granularities
    union all
    -- week: kept forecasts by label status, and actuals logged after the window closed or before the forecast
    select
        'week',
        timestamp_trunc(target_time, isoweek),
        model_version,
        0,
        0,
        sum(case when label_status = 'observed' then 1 else 0 end),
        sum(case when label_status = 'pending' then 1 else 0 end),
        sum(case when label_status = 'missing' then 1 else 0 end),
        sum(case when observed_at > timestamp_add(target_time, interval 864000 second) then 1 else 0 end),
        sum(case when observed_at < forecast_time then 1 else 0 end),
        max(evaluations.label_delay_p50) as label_delay_p50,
        max(evaluations.label_delay_p90) as label_delay_p90
    from (
        select
            evaluations.*,
            percentile_cont(label_delay_hours, 0.5) over (partition by timestamp_trunc(target_time, isoweek), model_version) as label_delay_p50,
            percentile_cont(label_delay_hours, 0.9) over (partition by timestamp_trunc(target_time, isoweek), model_version) as label_delay_p90
        from `hs_weekly_demand__evaluations` as evaluations
    ) as evaluations
    group by 1, 2, 3
    union all
    -- month: kept forecasts by label status, and actuals logged after the window closed or before the forecast
    select
        'month',
        timestamp_trunc(target_time, month),
        model_version,
        0,
        0,
        sum(case when label_status = 'observed' then 1 else 0 end),
        sum(case when label_status = 'pending' then 1 else 0 end),
        sum(case when label_status = 'missing' then 1 else 0 end),
        sum(case when observed_at > timestamp_add(target_time, interval 864000 second) then 1 else 0 end),
        sum(case when observed_at < forecast_time then 1 else 0 end),
        max(evaluations.label_delay_p50) as label_delay_p50,
        max(evaluations.label_delay_p90) as label_delay_p90
    from (
        select
            evaluations.*,
            percentile_cont(label_delay_hours, 0.5) over (partition by timestamp_trunc(target_time, month), model_version) as label_delay_p50,
            percentile_cont(label_delay_hours, 0.9) over (partition by timestamp_trunc(target_time, month), model_version) as label_delay_p90
        from `hs_weekly_demand__evaluations` as evaluations
    ) as evaluations
    group by 1, 2, 3
),

per_window as (
    select
        granularity,
        window_start,
        model_version,
        sum(prediction_events) as prediction_events,
        sum(duplicates_removed) as duplicates_removed,
        sum(observed) as observed,
        sum(pending) as pending,
        sum(missing) as missing,
        sum(outcomes_late) as outcomes_late,
        sum(outcomes_early) as outcomes_early,
        max(label_delay_p50) as label_delay_p50,
        max(label_delay_p90) as label_delay_p90
    from counts
    group by 1, 2, 3
),

-- actuals (one per series and time) that no kept forecast has
orphan_actuals as (
    select actuals.actual_time
    from `hs_weekly_demand__outcome_events` as actuals
    left join (
        select distinct `store_id`, `category`, target_time
        from `hs_weekly_demand__evaluations`
    ) as kept
        on kept.`store_id` = actuals.`store_id` and kept.`category` = actuals.`category`
        and kept.target_time = actuals.actual_time
    where actuals.actual_rank = 1
        and kept.target_time is null
        and actuals.actual_time >= timestamp '2026-11-01 00:00:00'
),

-- counted in the windows that have a forecast row: the history before the first forecast is expected
orphans as (
    select granularity, window_start, sum(orphan) as orphan_count
    from (
        -- orphan actuals per day, added up into each granularity's windows (macros/windows.sql)
        select
            granularities.granularity,
            case granularities.granularity when 'week' then timestamp_trunc(days.day_start, isoweek) when 'month' then timestamp_trunc(days.day_start, month) end as window_start,
            days.orphans as orphan,
            0 as forecast_window
        from (
            select timestamp_trunc(actual_time, day) as day_start, count(*) as orphans
            from orphan_actuals
            group by 1
        ) as days
        cross join (
            select 'week' as granularity union all
            select 'month' as granularity
        ) as granularities
        union all
        select granularity, window_start, 0, 1
        from (
    select distinct granularity, window_start, 0 as orphan
    from per_window
    where prediction_events > 0
        ) as forecast_windows
    ) as marks
    group by granularity, window_start
    having max(forecast_window) = 1
)

select
    granularity, window_start, model_version, cast(null as string) as segment, cast(null as string) as segment_value,
    'prediction_events' as metric,
    cast(null as string) as qualifier,
    cast(prediction_events as float64) as value,
    cast(prediction_events as int64) as sample_size
from per_window
union all
select
    granularity, window_start, model_version, cast(null as string) as segment, cast(null as string) as segment_value,
    'duplicates_removed' as metric,
    cast(null as string) as qualifier,
    cast(duplicates_removed as float64) as value,
    cast(duplicates_removed as int64) as sample_size
from per_window
union all
select
    granularity, window_start, model_version, cast(null as string) as segment, cast(null as string) as segment_value,
    'observed' as metric,
    cast(null as string) as qualifier,
    cast(observed as float64) as value,
    cast(observed as int64) as sample_size
from per_window
union all
select
    granularity, window_start, model_version, cast(null as string) as segment, cast(null as string) as segment_value,
    'pending' as metric,
    cast(null as string) as qualifier,
    cast(pending as float64) as value,
    cast(pending as int64) as sample_size
from per_window
union all
select
    granularity, window_start, model_version, cast(null as string) as segment, cast(null as string) as segment_value,
    'missing' as metric,
    cast(null as string) as qualifier,
    cast(missing as float64) as value,
    cast(missing as int64) as sample_size
from per_window
union all
select
    granularity, window_start, model_version, cast(null as string) as segment, cast(null as string) as segment_value,
    'label_coverage' as metric,
    cast(null as string) as qualifier,
    cast(safe_divide(cast(observed as float64), observed + missing) as float64) as value,
    cast(observed + missing as int64) as sample_size
from per_window
union all
select
    granularity, window_start, model_version, cast(null as string) as segment, cast(null as string) as segment_value,
    'outcomes_late' as metric,
    cast(null as string) as qualifier,
    cast(outcomes_late as float64) as value,
    cast(outcomes_late as int64) as sample_size
from per_window
union all
select
    granularity, window_start, model_version, cast(null as string) as segment, cast(null as string) as segment_value,
    'outcomes_early' as metric,
    cast(null as string) as qualifier,
    cast(outcomes_early as float64) as value,
    cast(outcomes_early as int64) as sample_size
from per_window
union all
select
    granularity, window_start, model_version, cast(null as string) as segment, cast(null as string) as segment_value,
    'label_delay_p50' as metric,
    cast(null as string) as qualifier,
    cast(label_delay_p50 as float64) as value,
    cast(observed as int64) as sample_size
from per_window
union all
select
    granularity, window_start, model_version, cast(null as string) as segment, cast(null as string) as segment_value,
    'label_delay_p90' as metric,
    cast(null as string) as qualifier,
    cast(label_delay_p90 as float64) as value,
    cast(observed as int64) as sample_size
from per_window
union all
select
    granularity, window_start, cast(null as string) as model_version, cast(null as string) as segment, cast(null as string) as segment_value,
    'outcomes_orphan' as metric,
    cast(null as string) as qualifier,
    cast(orphan_count as float64) as value,
    cast(orphan_count as int64) as sample_size
from orphans
