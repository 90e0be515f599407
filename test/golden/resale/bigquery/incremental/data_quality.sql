-- Data-quality rows of monitor resale: what was read, what was dropped as a duplicate, how many
-- labels arrived, how late, and which outcomes matched nothing. One row per metric, like the metrics.
with counts as (
    -- prediction events, and outcomes that matched a prediction but fell outside its window, counted
    -- per day and model version and added up into each granularity's windows (macros/windows.sql)
    select
        granularities.granularity,
        case granularities.granularity when 'week' then timestamp_trunc(days.day_start, isoweek) end as window_start,
        days.model_version,
        days.prediction_events,
        days.duplicates_removed,
        0 as observed,
        0 as pending,
        0 as missing,
        days.outcomes_late,
        days.outcomes_early,
        cast(null as float64) as label_delay_p50,
        cast(null as float64) as label_delay_p90
    from (
        select
            timestamp_trunc(predicted_at, day) as day_start,
            model_version,
            count(*) as prediction_events,
            sum(case when duplicate_rank > 1 then 1 else 0 end) as duplicates_removed,
            0 as outcomes_late,
            0 as outcomes_early
        from `hs_resale__prediction_events`
        group by 1, 2
        union all
        select
            timestamp_trunc(predicted_at, day),
            model_version,
            0,
            0,
            sum(case when outcome_class = 'late' then 1 else 0 end),
            sum(case when outcome_class = 'early' then 1 else 0 end)
        from `hs_resale__outcome_matches`
        where outcome_class in ('late', 'early')
        group by 1, 2
    ) as days
    cross join (
        select 'week' as granularity
    ) as granularities
    union all
    -- week: label delays' percentiles, which do not add up, and label statuses (counted in the same scan)
    select
        'week',
        timestamp_trunc(predicted_at, isoweek),
        model_version,
        0,
        0,
        sum(case when label_status = 'observed' then 1 else 0 end),
        sum(case when label_status = 'pending' then 1 else 0 end),
        sum(case when label_status = 'missing' then 1 else 0 end),
        0,
        0,
        max(evaluations.label_delay_p50) as label_delay_p50,
        max(evaluations.label_delay_p90) as label_delay_p90
    from (
        select
            evaluations.*,
            percentile_cont(label_delay_hours, 0.5) over (partition by timestamp_trunc(predicted_at, isoweek), model_version) as label_delay_p50,
            percentile_cont(label_delay_hours, 0.9) over (partition by timestamp_trunc(predicted_at, isoweek), model_version) as label_delay_p90
        from `hs_resale__evaluations` as evaluations
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
    -- outcomes can match predictions of windows with no event left in this run's range
    having sum(counts.prediction_events) > 0
        -- and an incremental run's range starts at its earliest granularity's window: the others'
        -- windows before their own recompute_from are partly in it, and keep their stored rows
        and (
            (granularity = 'week' and window_start >= timestamp '2026-11-09 00:00:00')
        )
),

empty_windows as (
    select 'week' as granularity, spine.window_start
    from (select timestamp(day) as window_start from unnest(generate_date_array(date((select case when exists (select 1 from `hindsight`.`hindsight_metrics` where monitor = 'resale' and granularity = 'week' and window_start = timestamp '2026-11-02 00:00:00' and metric = 'prediction_events' and segment is null) then timestamp '2026-11-02 00:00:00' else (select min(window_start) from per_window where granularity = 'week' and prediction_events > 0) end)), date(timestamp '2026-11-21 00:00:00'), interval 1 week)) as day) as spine
    where spine.window_start < timestamp '2026-11-21 00:00:00'
        and spine.window_start >= timestamp '2026-11-09 00:00:00'
        and spine.window_start not in (select window_start from per_window where granularity = 'week' and prediction_events > 0)
),

orphans as (
    -- counted per day of their observation, and added up into each granularity's windows
    select
        granularities.granularity,
        case granularities.granularity when 'week' then timestamp_trunc(days.day_start, isoweek) end as window_start,
        days.orphans as orphan
    from (
        select timestamp_trunc(observed_at, day) as day_start, count(*) as orphans
        from `hs_resale__outcome_matches`
        where outcome_class = 'orphan'
        group by 1
    ) as days
    cross join (
        select 'week' as granularity
    ) as granularities
    union all
    select distinct granularity, window_start, 0 as orphan
    from per_window
    where prediction_events > 0
    union all
    select granularity, window_start, 0 from empty_windows
),

-- late outcomes new since the previous run, counted per day of their prediction and added up into
-- each granularity's windows
late_windows as (
    select
        granularities.granularity,
        case granularities.granularity when 'week' then timestamp_trunc(days.day_start, isoweek) end as window_start,
        days.model_version,
        days.late_outcomes
    from (
        select timestamp_trunc(predicted_at, day) as day_start, model_version, count(*) as late_outcomes
        from `hs_resale__outcome_matches`
        where outcome_class = 'late'
            and observed_at > timestamp '2026-11-20 00:00:00'
        group by 1, 2
    ) as days
    cross join (
        select 'week' as granularity
    ) as granularities
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
    cast(sum(orphan) as float64) as value,
    cast(sum(orphan) as int64) as sample_size
from orphans
where (
    (granularity = 'week' and window_start >= timestamp '2026-11-09 00:00:00')
)
group by granularity, window_start
union all
select
    granularity, window_start, cast(null as string) as model_version, cast(null as string) as segment, cast(null as string) as segment_value,
    'prediction_events' as metric,
    cast(null as string) as qualifier,
    cast(0 as float64) as value,
    cast(0 as int64) as sample_size
from empty_windows
union all
-- Windows this run does not recompute changed only by late outcomes new since the previous run (as
-- of timestamp '2026-11-20 00:00:00'; plan.sql): their counts, which the write step adds to the stored
-- outcomes_late rows. outcome_matches.sql keeps them for predictions kept before the range too.
select
    granularity, window_start, model_version, cast(null as string) as segment, cast(null as string) as segment_value,
    'outcomes_late' as metric,
    cast(null as string) as qualifier,
    cast(sum(late_outcomes) as float64) as value,
    cast(sum(late_outcomes) as int64) as sample_size
from late_windows
where not (
    (granularity = 'week' and window_start >= timestamp '2026-11-09 00:00:00')
)
group by granularity, window_start, model_version
