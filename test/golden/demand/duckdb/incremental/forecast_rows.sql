-- The evaluated forecasts of monitor weekly_demand as the slicing macros read them (macros/slices.sql):
-- predicted_at places a row in its window (its target_time), segments are text, and each row carries
-- MASE's scale of its series for its window in each granularity. A session table of its own, not a
-- CTE of the metric step, so that Postgres plans the metric step's joins with its statistics: over a
-- CTE it joined the rows to the segment ranks by nested loops (docs/performance.md).
select
    evaluations.target_time as predicted_at,
    evaluations.model_version,
    evaluations.label_status,
    evaluations.horizon,
    case when typeof(evaluations."category") in ('DOUBLE', 'FLOAT') then regexp_replace(cast(evaluations."category" as varchar), '\.0$', '') else cast(evaluations."category" as varchar) end as "category",
    evaluations."region" as "region",
    evaluations.prediction,
    evaluations.actual,
    evaluations.interval_lower,
    evaluations.interval_upper,
    evaluations."p10",
    evaluations."p50",
    evaluations."p90",
    scales_0.scale as hs_scale_0,
    scales_1.scale as hs_scale_1
from "hs_weekly_demand__evaluations" as evaluations
left join "hs_weekly_demand__mase_scales" as scales_0
    on scales_0.granularity = 'week'
    and scales_0.window_start = date_trunc('week', evaluations.target_time)
    and scales_0."store_id" = evaluations."store_id"
    and scales_0."category" = evaluations."category"
left join "hs_weekly_demand__mase_scales" as scales_1
    on scales_1.granularity = 'month'
    and scales_1.window_start = date_trunc('month', evaluations.target_time)
    and scales_1."store_id" = evaluations."store_id"
    and scales_1."category" = evaluations."category"
