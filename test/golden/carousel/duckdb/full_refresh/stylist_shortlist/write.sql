-- Replace what this run recomputed, inside the run's transaction: a failed run leaves every row as
-- it was, and re-running the same windows replaces them instead of adding copies.
-- The evaluations step built the new table in the schema: it takes the stored table's place.
drop table if exists "hindsight"."stylist_shortlist__evaluations";

alter table "hindsight"."hs_stylist_shortlist__evaluations_00000000" rename to "stylist_shortlist__evaluations";

delete from "hindsight"."hindsight_metrics"
where monitor = 'stylist_shortlist';

insert into "hindsight"."hindsight_metrics" (
    monitor, model_version, granularity, window_start, window_end, segment, segment_value,
    metric, qualifier, value, sample_size, run_id, computed_at
)
select
    'stylist_shortlist',
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
    select model_version, granularity, window_start, segment, segment_value, metric, qualifier, value, sample_size from "hs_stylist_shortlist__data_quality"
    union all
    select model_version, granularity, window_start, segment, segment_value, metric, qualifier, value, sample_size from "hs_stylist_shortlist__metrics"
) as metric_rows
;
