-- Replace what this run recomputed, inside the run's transaction: a failed run leaves every row as
-- it was, and re-running the same windows replaces them instead of adding copies.
-- The evaluations step built the new table in the schema: it takes the stored table's place.
drop table if exists "hindsight"."weekly_demand__evaluations";

alter table "hindsight"."hs_weekly_demand__evaluations_00000000" rename to "weekly_demand__evaluations";

delete from "hindsight"."hindsight_metrics"
where monitor = 'weekly_demand';

-- MASE's history up to this run's checkpoint (models/forecast/mase_scales.sql), which the next
-- incremental run starts from instead of reading every actual again
-- (staged and put in the stored table's place as the evaluations are: on Postgres it keeps the views
-- on it, its grants and its row-level security)
create or replace table "hindsight"."hs_weekly_demand__mase_history_00000000" as
select "store_id", "category", history_pairs, history_sum, window_start as checkpoint_at
from "hs_weekly_demand__mase_scales"
where granularity is null;

drop table if exists "hindsight"."weekly_demand__mase_history";
alter table "hindsight"."hs_weekly_demand__mase_history_00000000" rename to "weekly_demand__mase_history";

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
;
