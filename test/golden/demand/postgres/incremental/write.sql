-- Replace what this run recomputed, inside the run's transaction: a failed run leaves every row as
-- it was, and re-running the same windows replaces them instead of adding copies.
-- Evaluations before timestamp '2026-11-01 00:00:00' stay as stored: the run evaluated the predictions
-- from there on again (docs/semantics.md section 7).
delete from "hindsight"."weekly_demand__evaluations"
where target_time >= timestamp '2026-11-01 00:00:00';

insert into "hindsight"."weekly_demand__evaluations"
select * from "hs_weekly_demand__evaluations"
where target_time >= timestamp '2026-11-01 00:00:00';

delete from "hindsight"."hindsight_metrics"
where monitor = 'weekly_demand'
    and (
        (granularity = 'week' and window_start >= timestamp '2026-11-09 00:00:00') or
        (granularity = 'month' and window_start >= timestamp '2026-11-01 00:00:00')
    );

-- Incremental runs read and replace a range of the stored evaluations' times and, but for
-- forecasts, look them up by key: where the warehouse has indexes, those of the evaluations table
-- (a table written by an earlier version of hindsight gets them here)
do $hindsight$
begin
    if to_regclass('"hindsight"."weekly_demand__evaluations_by_time"') is null then
        create index if not exists "weekly_demand__evaluations_by_time" on "hindsight"."weekly_demand__evaluations" ("target_time");
    end if;
end
$hindsight$;

-- MASE's history up to this run's checkpoint (models/forecast/mase_scales.sql), which the next
-- incremental run starts from instead of reading every actual again
delete from "hindsight"."weekly_demand__mase_history"
where true;

insert into "hindsight"."weekly_demand__mase_history"
select "store_id", "category", history_pairs, history_sum, window_start as checkpoint_at
from "hs_weekly_demand__mase_scales"
where granularity is null;

insert into "hindsight"."hindsight_metrics" (
    monitor, model_version, granularity, window_start, window_end, segment, segment_value,
    metric, qualifier, value, sample_size, run_id, computed_at
)
select
    'weekly_demand',
    metric_rows.model_version,
    metric_rows.granularity,
    metric_rows.window_start,
    case metric_rows.granularity
        when 'week' then metric_rows.window_start + interval '7 days'
        when 'month' then metric_rows.window_start + interval '1 month'
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
    select model_version, granularity, window_start, segment, segment_value, metric, qualifier, value, sample_size from "hs_weekly_demand__data_quality"
    union all
    select model_version, granularity, window_start, segment, segment_value, metric, qualifier, value, sample_size from "hs_weekly_demand__metrics"
) as metric_rows
-- data_quality's rows of earlier windows are partial: those windows keep their stored rows
where (
    (metric_rows.granularity = 'week' and metric_rows.window_start >= timestamp '2026-11-09 00:00:00') or
    (metric_rows.granularity = 'month' and metric_rows.window_start >= timestamp '2026-11-01 00:00:00')
)
;
