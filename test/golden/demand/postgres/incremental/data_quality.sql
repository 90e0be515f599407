-- Data-quality rows of forecast monitor weekly_demand (docs/semantics.md §5d): forecast rows read and
-- removed as duplicates, how many actuals arrived and how late, and which actuals no forecast has.
-- Windows are by target_time, like the metrics.
with counts as (
    -- forecast rows, counted per day of their target time and model version and added up into each
    -- granularity's windows (macros/windows.sql)
    select
        granularities.granularity,
        case granularities.granularity when 'week' then date_trunc('week', days.day_start) when 'month' then date_trunc('month', days.day_start) end as window_start,
        days.model_version,
        days.prediction_events,
        days.duplicates_removed,
        0 as observed,
        0 as pending,
        0 as missing,
        0 as outcomes_late,
        0 as outcomes_early,
        cast(null as double precision) as label_delay_p50,
        cast(null as double precision) as label_delay_p90
    from (
        select
            date_trunc('day', target_time) as day_start,
            model_version,
            count(*) as prediction_events,
            sum(case when duplicate_rank > 1 then 1 else 0 end) as duplicates_removed
        from "hs_weekly_demand__prediction_events"
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
        date_trunc('week', target_time),
        model_version,
        0,
        0,
        sum(case when label_status = 'observed' then 1 else 0 end),
        sum(case when label_status = 'pending' then 1 else 0 end),
        sum(case when label_status = 'missing' then 1 else 0 end),
        sum(case when observed_at > target_time + interval '864000 seconds' then 1 else 0 end),
        sum(case when observed_at < forecast_time then 1 else 0 end),
        percentile_cont(0.5) within group (order by label_delay_hours) as label_delay_p50,
        percentile_cont(0.9) within group (order by label_delay_hours) as label_delay_p90
    from "hs_weekly_demand__evaluations" as evaluations
    group by 1, 2, 3
    union all
    -- month: kept forecasts by label status, and actuals logged after the window closed or before the forecast
    select
        'month',
        date_trunc('month', target_time),
        model_version,
        0,
        0,
        sum(case when label_status = 'observed' then 1 else 0 end),
        sum(case when label_status = 'pending' then 1 else 0 end),
        sum(case when label_status = 'missing' then 1 else 0 end),
        sum(case when observed_at > target_time + interval '864000 seconds' then 1 else 0 end),
        sum(case when observed_at < forecast_time then 1 else 0 end),
        percentile_cont(0.5) within group (order by label_delay_hours) as label_delay_p50,
        percentile_cont(0.9) within group (order by label_delay_hours) as label_delay_p90
    from "hs_weekly_demand__evaluations" as evaluations
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
    from "hs_weekly_demand__outcome_events" as actuals
    left join (
        select distinct "store_id", "category", target_time
        from "hs_weekly_demand__evaluations"
    ) as kept
        on kept."store_id" = actuals."store_id" and kept."category" = actuals."category"
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
            case granularities.granularity when 'week' then date_trunc('week', days.day_start) when 'month' then date_trunc('month', days.day_start) end as window_start,
            days.orphans as orphan,
            0 as forecast_window
        from (
            select date_trunc('day', actual_time) as day_start, count(*) as orphans
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
    granularity, window_start, model_version, cast(null as text) as segment, cast(null as text) as segment_value,
    'prediction_events' as metric,
    cast(null as text) as qualifier,
    cast(prediction_events as double precision) as value,
    cast(prediction_events as bigint) as sample_size
from per_window
union all
select
    granularity, window_start, model_version, cast(null as text) as segment, cast(null as text) as segment_value,
    'duplicates_removed' as metric,
    cast(null as text) as qualifier,
    cast(duplicates_removed as double precision) as value,
    cast(duplicates_removed as bigint) as sample_size
from per_window
union all
select
    granularity, window_start, model_version, cast(null as text) as segment, cast(null as text) as segment_value,
    'observed' as metric,
    cast(null as text) as qualifier,
    cast(observed as double precision) as value,
    cast(observed as bigint) as sample_size
from per_window
union all
select
    granularity, window_start, model_version, cast(null as text) as segment, cast(null as text) as segment_value,
    'pending' as metric,
    cast(null as text) as qualifier,
    cast(pending as double precision) as value,
    cast(pending as bigint) as sample_size
from per_window
union all
select
    granularity, window_start, model_version, cast(null as text) as segment, cast(null as text) as segment_value,
    'missing' as metric,
    cast(null as text) as qualifier,
    cast(missing as double precision) as value,
    cast(missing as bigint) as sample_size
from per_window
union all
select
    granularity, window_start, model_version, cast(null as text) as segment, cast(null as text) as segment_value,
    'label_coverage' as metric,
    cast(null as text) as qualifier,
    cast(cast(observed as double precision) / nullif(observed + missing, 0) as double precision) as value,
    cast(observed + missing as bigint) as sample_size
from per_window
union all
select
    granularity, window_start, model_version, cast(null as text) as segment, cast(null as text) as segment_value,
    'outcomes_late' as metric,
    cast(null as text) as qualifier,
    cast(outcomes_late as double precision) as value,
    cast(outcomes_late as bigint) as sample_size
from per_window
union all
select
    granularity, window_start, model_version, cast(null as text) as segment, cast(null as text) as segment_value,
    'outcomes_early' as metric,
    cast(null as text) as qualifier,
    cast(outcomes_early as double precision) as value,
    cast(outcomes_early as bigint) as sample_size
from per_window
union all
select
    granularity, window_start, model_version, cast(null as text) as segment, cast(null as text) as segment_value,
    'label_delay_p50' as metric,
    cast(null as text) as qualifier,
    cast(label_delay_p50 as double precision) as value,
    cast(observed as bigint) as sample_size
from per_window
union all
select
    granularity, window_start, model_version, cast(null as text) as segment, cast(null as text) as segment_value,
    'label_delay_p90' as metric,
    cast(null as text) as qualifier,
    cast(label_delay_p90 as double precision) as value,
    cast(observed as bigint) as sample_size
from per_window
union all
select
    granularity, window_start, cast(null as text) as model_version, cast(null as text) as segment, cast(null as text) as segment_value,
    'outcomes_orphan' as metric,
    cast(null as text) as qualifier,
    cast(orphan_count as double precision) as value,
    cast(orphan_count as bigint) as sample_size
from orphans
