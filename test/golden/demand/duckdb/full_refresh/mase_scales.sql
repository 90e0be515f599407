-- MASE's scale for monitor weekly_demand: per granularity, window and series with an evaluated
-- forecast, the mean absolute change between actuals 1 week(s) apart
-- (the in-sample error of the seasonal-naive forecast) over the pairs before the window start.
-- NULL without such a pair or when it is 0 (docs/semantics.md §5d). One ordered pass per series:
-- window starts and pairs in one stream, running sums up to each window start, pairs at the
-- same time after it (strictly before the window).
-- The rows with granularity NULL are this run's checkpoint, per series the count and exact sum of
-- the pairs before timestamp '2026-11-01 00:00:00': the write step stores them for the next run.
with actuals as (
    select "store_id", "category", actual_time, actual
    from "hs_weekly_demand__outcome_events"
    where actual_rank = 1
),

pairs as (
    select actuals."store_id", actuals."category", actuals.actual_time, abs(actuals.actual - earlier.actual) as abs_change
    from actuals
    inner join actuals as earlier
        on earlier."store_id" = actuals."store_id" and earlier."category" = actuals."category"
        and earlier.actual_time = actuals.actual_time + interval '-604800 seconds'
),

stream as (
    select distinct
        'week' as granularity,
        "store_id", "category",
        date_trunc('week', target_time) as at_time,
        0 as is_pair,
        cast(null as double) as abs_change
    from "hindsight"."hs_weekly_demand__evaluations_00000000"
    where label_status = 'observed' and prediction is not null
    union all
    select distinct
        'month' as granularity,
        "store_id", "category",
        date_trunc('month', target_time) as at_time,
        0 as is_pair,
        cast(null as double) as abs_change
    from "hindsight"."hs_weekly_demand__evaluations_00000000"
    where label_status = 'observed' and prediction is not null
    union all
    select cast(null as varchar), "store_id", "category", actual_time, 1, abs_change
    from pairs
),

running as (
    select
        granularity,
        "store_id", "category",
        at_time,
        is_pair,
        case when abs(sum(abs_change) over (partition by "store_id", "category" order by at_time, is_pair rows between unbounded preceding and current row)) >= 1e23 then error('a sum is beyond the range of exact sums on DuckDB, 1e23: see docs/semantics.md, Sums') else sum(cast(abs_change as decimal(38, 15))) over (partition by "store_id", "category" order by at_time, is_pair rows between unbounded preceding and current row) end as sum_abs_change,
        sum(is_pair) over (
            partition by "store_id", "category" order by at_time, is_pair rows between unbounded preceding and current row
        ) as pairs_before
    from stream
),

checkpoint as (
    select "store_id", "category", cast(sum(history_pairs) as bigint) as history_pairs, case when abs(sum(cast(history_sum as double))) >= 1e23 then error('a sum is beyond the range of exact sums on DuckDB, 1e23: see docs/semantics.md, Sums') else sum(history_sum) end as history_sum
    from (
        select "store_id", "category", count(*) as history_pairs, sum(cast(abs_change as decimal(38, 15))) as history_sum
        from pairs
        where actual_time < timestamp '2026-11-01 00:00:00'
        group by "store_id", "category"
    ) as parts
    group by "store_id", "category"
    union all
    -- a row without a series: a checkpoint with no series is then told from none (models/forecast/plan.sql)
    select null, null, 0, null
)

-- the checkpoint first, so that its exact types are the history columns' types
select
    cast(null as varchar) as granularity,
    timestamp '2026-11-01 00:00:00' as window_start,
    "store_id", "category",
    cast(null as double) as scale,
    history_pairs,
    history_sum
from checkpoint
union all
select
    granularity,
    at_time,
    "store_id", "category",
    case when pairs_before > 0 and sum_abs_change > 0 then cast(sum_abs_change as double) / pairs_before end,
    null,
    null
from running
where is_pair = 0
