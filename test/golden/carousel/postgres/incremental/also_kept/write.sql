-- Replace what this run recomputed, inside the run's transaction: a failed run leaves every row as
-- it was, and re-running the same windows replaces them instead of adding copies.
-- Evaluations before timestamp '2026-11-09 00:00:00' stay as stored: the run evaluated the predictions
-- from there on again (docs/semantics.md section 7).
delete from "hindsight"."also_kept__evaluations" as stored
where stored.predicted_at >= timestamp '2026-11-09 00:00:00'
    and not exists (
        select 1 from "hs_also_kept__evaluations" as computed
        where computed."impression_id" = stored."impression_id"
            and computed.predicted_at >= timestamp '2026-11-09 00:00:00'
            and row(computed.*) is not distinct from row(stored.*)
    );

insert into "hindsight"."also_kept__evaluations"
select * from "hs_also_kept__evaluations" as computed
where computed.predicted_at >= timestamp '2026-11-09 00:00:00'
    and not exists (
        select 1 from "hindsight"."also_kept__evaluations" as stored
        where stored."impression_id" = computed."impression_id"
            and stored.predicted_at >= timestamp '2026-11-09 00:00:00'
    );

delete from "hindsight"."hindsight_metrics"
where monitor = 'also_kept'
    and (
        (granularity = 'day' and window_start >= timestamp '2026-11-13 00:00:00') or
        (granularity = 'week' and window_start >= timestamp '2026-11-09 00:00:00')
    );

-- Incremental runs read and replace a range of the stored evaluations' times and, but for
-- forecasts, look them up by key: where the warehouse has indexes, those of the evaluations table
-- (a table written by an earlier version of hindsight gets them here)
do $hindsight$
begin
    if to_regclass('"hindsight"."also_kept__evaluations_by_key"') is null then
        create index if not exists "also_kept__evaluations_by_key" on "hindsight"."also_kept__evaluations" ("impression_id");
    end if;
end
$hindsight$;
do $hindsight$
begin
    if to_regclass('"hindsight"."also_kept__evaluations_by_time"') is null then
        create index if not exists "also_kept__evaluations_by_time" on "hindsight"."also_kept__evaluations" ("predicted_at");
    end if;
end
$hindsight$;

insert into "hindsight"."hindsight_metrics" (
    monitor, model_version, granularity, window_start, window_end, segment, segment_value,
    metric, qualifier, value, sample_size, run_id, computed_at
)
select
    'also_kept',
    metric_rows.model_version,
    metric_rows.granularity,
    metric_rows.window_start,
    case metric_rows.granularity
        when 'day' then metric_rows.window_start + interval '1 day'
        when 'week' then metric_rows.window_start + interval '7 days'
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
    select model_version, granularity, window_start, segment, segment_value, metric, qualifier, value, sample_size from "hs_also_kept__data_quality"
    union all
    select model_version, granularity, window_start, segment, segment_value, metric, qualifier, value, sample_size from "hs_also_kept__metrics"
) as metric_rows
-- data_quality's rows of earlier windows are partial: those windows keep their stored rows
where (
    (metric_rows.granularity = 'day' and metric_rows.window_start >= timestamp '2026-11-13 00:00:00') or
    (metric_rows.granularity = 'week' and metric_rows.window_start >= timestamp '2026-11-09 00:00:00')
)
;
