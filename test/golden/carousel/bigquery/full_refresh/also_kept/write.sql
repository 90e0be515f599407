-- Replace what this run recomputed, inside the run's transaction: a failed run leaves every row as
-- it was, and re-running the same windows replaces them instead of adding copies.
-- bigquery cannot drop or create a permanent table inside a transaction: the runner creates the
-- evaluations table before the transaction begins, and a full refresh replaces all of its rows.
delete from `hindsight`.`also_kept__evaluations`
where true;

insert into `hindsight`.`also_kept__evaluations`
select * from `hs_also_kept__evaluations`;

delete from `hindsight`.`hindsight_metrics`
where monitor = 'also_kept';

insert into `hindsight`.`hindsight_metrics` (
    monitor, model_version, granularity, window_start, window_end, segment, segment_value,
    metric, qualifier, value, sample_size, run_id, computed_at
)
select
    'also_kept',
    metric_rows.model_version,
    metric_rows.granularity,
    metric_rows.window_start,
    case metric_rows.granularity
        when 'day' then timestamp_add(metric_rows.window_start, interval 1 day)
        when 'week' then timestamp_add(metric_rows.window_start, interval 7 day)
    end,
    metric_rows.segment,
    metric_rows.segment_value,
    metric_rows.metric,
    metric_rows.qualifier,
    metric_rows.value,
    metric_rows.sample_size,
    '00000000-0000-0000-0000-000000000000',
    timestamp '2026-11-21 00:00:00'
from (
    -- (columns named: a union matches them by position)
    select model_version, granularity, window_start, segment, segment_value, metric, qualifier, value, sample_size from `hs_also_kept__data_quality`
    union all
    select model_version, granularity, window_start, segment, segment_value, metric, qualifier, value, sample_size from `hs_also_kept__metrics`
) as metric_rows
;
