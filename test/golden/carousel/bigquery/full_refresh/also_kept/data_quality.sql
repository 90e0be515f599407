-- Data-quality rows of monitor also_kept (docs/semantics.md §5e): copies of request lists read and
-- removed, items listed twice, requests by label status, how long until the first counting
-- interaction, and the interactions that count for no request. One row per metric, like the metrics.
-- Items listed twice are counted without a distinct count per request: a window's kept lists have
-- as many rows as distinct items (their list_length in the evaluations) plus the rows listing an
-- item again, so the copies' rows are added and the list lengths subtracted, each by the request's
-- window and version. (Counting distinct items per request took two thirds of this step's operator
-- CPU at 1M on DuckDB: docs/performance.md.)
with copies as (
    select `impression_id`, copy_rank, predicted_at, model_version, count(*) as list_rows
    from `hs_also_kept__prediction_events`
    group by `impression_id`, copy_rank, predicted_at, model_version
),

counts as (
    -- copies, counted per day and model version and added up into each granularity's windows
    -- (macros/windows.sql)
    select
        granularities.granularity,
        case granularities.granularity when 'day' then timestamp_trunc(days.day_start, day) when 'week' then timestamp_trunc(days.day_start, isoweek) end as window_start,
        days.model_version,
        days.prediction_events,
        days.duplicates_removed,
        days.duplicate_items,
        0 as observed,
        0 as pending,
        0 as missing,
        cast(null as float64) as label_delay_p50,
        cast(null as float64) as label_delay_p90
    from (
        select
            timestamp_trunc(predicted_at, day) as day_start,
            model_version,
            count(*) as prediction_events,
            sum(case when copy_rank > 1 then 1 else 0 end) as duplicates_removed,
            sum(case when copy_rank = 1 then list_rows else 0 end) as duplicate_items
        from copies
        group by 1, 2
    ) as days
    cross join (
        select 'day' as granularity union all
        select 'week' as granularity
    ) as granularities
    union all
    -- day: label delays' percentiles, which do not add up, and label statuses and the lists' distinct
    -- items (subtracted), counted in the same scan
    select
        'day',
        timestamp_trunc(predicted_at, day),
        model_version,
        0,
        0,
        -sum(list_length),
        sum(case when label_status = 'observed' then 1 else 0 end),
        sum(case when label_status = 'pending' then 1 else 0 end),
        sum(case when label_status = 'missing' then 1 else 0 end),
        max(evaluations.label_delay_p50) as label_delay_p50,
        max(evaluations.label_delay_p90) as label_delay_p90
    from (
        select
            evaluations.*,
            percentile_cont(case when label_status = 'observed' then label_delay_hours end, 0.5) over (partition by timestamp_trunc(predicted_at, day), model_version) as label_delay_p50,
            percentile_cont(case when label_status = 'observed' then label_delay_hours end, 0.9) over (partition by timestamp_trunc(predicted_at, day), model_version) as label_delay_p90
        from `hs_also_kept__evaluations` as evaluations
    ) as evaluations
    group by 1, 2, 3
    union all
    -- week: label delays' percentiles, which do not add up, and label statuses and the lists' distinct
    -- items (subtracted), counted in the same scan
    select
        'week',
        timestamp_trunc(predicted_at, isoweek),
        model_version,
        0,
        0,
        -sum(list_length),
        sum(case when label_status = 'observed' then 1 else 0 end),
        sum(case when label_status = 'pending' then 1 else 0 end),
        sum(case when label_status = 'missing' then 1 else 0 end),
        max(evaluations.label_delay_p50) as label_delay_p50,
        max(evaluations.label_delay_p90) as label_delay_p90
    from (
        select
            evaluations.*,
            percentile_cont(case when label_status = 'observed' then label_delay_hours end, 0.5) over (partition by timestamp_trunc(predicted_at, isoweek), model_version) as label_delay_p50,
            percentile_cont(case when label_status = 'observed' then label_delay_hours end, 0.9) over (partition by timestamp_trunc(predicted_at, isoweek), model_version) as label_delay_p90
        from `hs_also_kept__evaluations` as evaluations
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
        sum(duplicate_items) as duplicate_items,
        sum(observed) as observed,
        sum(pending) as pending,
        sum(missing) as missing,
        max(label_delay_p50) as label_delay_p50,
        max(label_delay_p90) as label_delay_p90
    from counts
    group by 1, 2, 3
),

empty_windows as (
    select 'day' as granularity, spine.window_start
    from (select timestamp(day) as window_start from unnest(generate_date_array(date((select min(window_start) from per_window where granularity = 'day' and prediction_events > 0)), date(timestamp '2026-11-21 00:00:00'), interval 1 day)) as day) as spine
    where spine.window_start < timestamp '2026-11-21 00:00:00'
        and spine.window_start not in (select window_start from per_window where granularity = 'day' and prediction_events > 0)
    union all
    select 'week' as granularity, spine.window_start
    from (select timestamp(day) as window_start from unnest(generate_date_array(date((select min(window_start) from per_window where granularity = 'week' and prediction_events > 0)), date(timestamp '2026-11-21 00:00:00'), interval 1 week)) as day) as spine
    where spine.window_start < timestamp '2026-11-21 00:00:00'
        and spine.window_start not in (select window_start from per_window where granularity = 'week' and prediction_events > 0)
),

orphans as (
    -- counted per day of their observation, and added up into each granularity's windows
    select
        granularities.granularity,
        case granularities.granularity when 'day' then timestamp_trunc(days.day_start, day) when 'week' then timestamp_trunc(days.day_start, isoweek) end as window_start,
        days.orphans as orphan
    from (
        select timestamp_trunc(observed_at, day) as day_start, count(*) as orphans
        from `hs_also_kept__outcome_matches`
        where interaction_class = 'orphan'
        group by 1
    ) as days
    cross join (
        select 'day' as granularity union all
        select 'week' as granularity
    ) as granularities
    union all
    select distinct granularity, window_start, 0 as orphan
    from per_window
    where prediction_events > 0
    union all
    select granularity, window_start, 0 from empty_windows
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
    'duplicate_items' as metric,
    cast(null as string) as qualifier,
    cast(duplicate_items as float64) as value,
    cast(duplicate_items as int64) as sample_size
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
    cast(sum(orphan) as float64) as value,
    cast(sum(orphan) as int64) as sample_size
from orphans
group by granularity, window_start
union all
select
    granularity, window_start, cast(null as string) as model_version, cast(null as string) as segment, cast(null as string) as segment_value,
    'prediction_events' as metric,
    cast(null as string) as qualifier,
    cast(0 as float64) as value,
    cast(0 as int64) as sample_size
from empty_windows
