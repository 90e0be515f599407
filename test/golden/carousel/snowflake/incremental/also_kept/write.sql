-- Replace what this run recomputed, inside the run's transaction: a failed run leaves every row as
-- it was, and re-running the same windows replaces them instead of adding copies.
-- Evaluations before '2026-11-09 00:00:00'::timestamp_ntz stay as stored: the run evaluated the predictions
-- from there on again (docs/semantics.md section 7).
delete from hindsight.also_kept__evaluations
where predicted_at >= '2026-11-09 00:00:00'::timestamp_ntz;

insert into hindsight.also_kept__evaluations
select * from hs_also_kept__evaluations
where predicted_at >= '2026-11-09 00:00:00'::timestamp_ntz;

delete from hindsight.hindsight_metrics
where monitor = 'also_kept'
    and (
        (granularity = 'day' and window_start >= '2026-11-13 00:00:00'::timestamp_ntz) or
        (granularity = 'week' and window_start >= '2026-11-09 00:00:00'::timestamp_ntz)
    );

insert into hindsight.hindsight_metrics (
    monitor, model_version, granularity, window_start, window_end, segment, segment_value,
    metric, qualifier, value, sample_size, run_id, computed_at
)
select
    'also_kept',
    metric_rows.model_version,
    metric_rows.granularity,
    metric_rows.window_start,
    case metric_rows.granularity
        when 'day' then dateadd(day, 1, metric_rows.window_start)
        when 'week' then dateadd(day, 7, metric_rows.window_start)
    end,
    metric_rows.segment,
    metric_rows.segment_value,
    metric_rows.metric,
    metric_rows.qualifier,
    metric_rows.value,
    metric_rows.sample_size,
    '00000000-0000-0000-0000-000000000000',
    '2026-11-21 00:00:00'::timestamp_ntz
from (
    -- (columns named: a union matches them by position)
    select model_version, granularity, window_start, segment, segment_value, metric, qualifier, value, sample_size from hs_also_kept__data_quality
    union all
    select model_version, granularity, window_start, segment, segment_value, metric, qualifier, value, sample_size from hs_also_kept__metrics
) as metric_rows
-- data_quality's rows of earlier windows are partial: those windows keep their stored rows
where (
    (metric_rows.granularity = 'day' and metric_rows.window_start >= '2026-11-13 00:00:00'::timestamp_ntz) or
    (metric_rows.granularity = 'week' and metric_rows.window_start >= '2026-11-09 00:00:00'::timestamp_ntz)
)
;
