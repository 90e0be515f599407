-- Replace what this run recomputed, inside the run's transaction: a failed run leaves every row as
-- it was, and re-running the same windows replaces them instead of adding copies.
-- Evaluations before timestamp '2026-11-09 00:00:00' stay as stored: the run evaluated the predictions
-- from there on again (docs/semantics.md section 7).
delete from "hindsight"."resale__evaluations" as stored
where stored.predicted_at >= timestamp '2026-11-09 00:00:00'
    and not exists (
        select 1 from "hs_resale__evaluations" as computed
        where computed."item_id" = stored."item_id"
            and computed.predicted_at >= timestamp '2026-11-09 00:00:00'
            and row(computed.*) is not distinct from row(stored.*)
    );

insert into "hindsight"."resale__evaluations"
select * from "hs_resale__evaluations" as computed
where computed.predicted_at >= timestamp '2026-11-09 00:00:00'
    and not exists (
        select 1 from "hindsight"."resale__evaluations" as stored
        where stored."item_id" = computed."item_id"
            and stored.predicted_at >= timestamp '2026-11-09 00:00:00'
    );

delete from "hindsight"."hindsight_metrics"
where monitor = 'resale'
    and (
        (granularity = 'week' and window_start >= timestamp '2026-11-09 00:00:00')
    );

-- Earlier windows keep their rows: new data changed no score, label or label status there, only
-- their outcomes_late counts, by the late outcomes data_quality counted for them (docs/semantics.md §7)
update "hindsight"."hindsight_metrics" as stored
set value = stored.value + added.value,
    sample_size = stored.sample_size + added.sample_size,
    run_id = '00000000-0000-0000-0000-000000000000',
    computed_at = timestamp '2026-11-21 00:00:00'
from "hs_resale__data_quality" as added
where stored.monitor = 'resale'
    and stored.metric = 'outcomes_late'
    and added.metric = 'outcomes_late'
    and not (
        (added.granularity = 'week' and added.window_start >= timestamp '2026-11-09 00:00:00')
    )
    and stored.granularity = added.granularity
    and stored.window_start = added.window_start
    and stored.model_version is not distinct from added.model_version
    and stored.segment is null;

-- Incremental runs read and replace a range of the stored evaluations' times and, but for
-- forecasts, look them up by key: where the warehouse has indexes, those of the evaluations table
-- (a table written by an earlier version of hindsight gets them here)
do $hindsight$
begin
    if to_regclass('"hindsight"."resale__evaluations_by_key"') is null then
        create index if not exists "resale__evaluations_by_key" on "hindsight"."resale__evaluations" ("item_id");
    end if;
end
$hindsight$;
do $hindsight$
begin
    if to_regclass('"hindsight"."resale__evaluations_by_time"') is null then
        create index if not exists "resale__evaluations_by_time" on "hindsight"."resale__evaluations" ("predicted_at");
    end if;
end
$hindsight$;

insert into "hindsight"."hindsight_metrics" (
    monitor, model_version, granularity, window_start, window_end, segment, segment_value,
    metric, qualifier, value, sample_size, run_id, computed_at
)
select
    'resale',
    metric_rows.model_version,
    metric_rows.granularity,
    metric_rows.window_start,
    case metric_rows.granularity
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
    select model_version, granularity, window_start, segment, segment_value, metric, qualifier, value, sample_size from "hs_resale__data_quality"
    union all
    select model_version, granularity, window_start, segment, segment_value, metric, qualifier, value, sample_size from "hs_resale__metrics"
) as metric_rows
-- data_quality's rows of earlier windows are the late-outcome counts the update above added
where (
    (metric_rows.granularity = 'week' and metric_rows.window_start >= timestamp '2026-11-09 00:00:00')
)
;
