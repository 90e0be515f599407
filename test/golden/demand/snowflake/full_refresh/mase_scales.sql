-- MASE's scale for monitor weekly_demand: per granularity, window and series with an evaluated
-- forecast, the mean absolute change between actuals 1 week(s) apart
-- (the in-sample error of the seasonal-naive forecast) over the pairs before the window start.
-- NULL without such a pair or when it is 0 (docs/semantics.md §5d). One ordered pass per series:
-- window starts and pairs in one stream, running sums up to each window start, pairs at the
-- same time after it (strictly before the window).
-- The rows with granularity NULL are this run's checkpoint, per series the count and exact sum of
-- the pairs before '2026-11-01 00:00:00'::timestamp_ntz: the write step stores them for the next run.
with actuals as (
    select store_id, category, actual_time, actual
    from hs_weekly_demand__outcome_events
    where actual_rank = 1
),

pairs as (
    select actuals.store_id, actuals.category, actuals.actual_time, abs(actuals.actual - earlier.actual) as abs_change
    from actuals
    inner join actuals as earlier
        on earlier.store_id = actuals.store_id and earlier.category = actuals.category
        and earlier.actual_time = dateadd(second, -604800, actuals.actual_time)
),

stream as (
    select distinct
        'week' as granularity,
        store_id, category,
        dateadd(day, 1 - dayofweekiso(target_time), date_trunc('day', target_time)) as at_time,
        0 as is_pair,
        cast(null as float) as abs_change
    from hs_weekly_demand__evaluations
    where label_status = 'observed' and prediction is not null
    union all
    select distinct
        'month' as granularity,
        store_id, category,
        date_trunc('month', target_time) as at_time,
        0 as is_pair,
        cast(null as float) as abs_change
    from hs_weekly_demand__evaluations
    where label_status = 'observed' and prediction is not null
    union all
    select cast(null as varchar), store_id, category, actual_time, 1, abs_change
    from pairs
),

running as (
    select
        granularity,
        store_id, category,
        at_time,
        is_pair,
        sum(cast(abs_change as number(38, 15))) over (partition by store_id, category order by at_time, is_pair rows between unbounded preceding and current row) as sum_abs_change,
        sum(is_pair) over (
            partition by store_id, category order by at_time, is_pair rows between unbounded preceding and current row
        ) as pairs_before
    from stream
),

checkpoint as (
    select store_id, category, cast(sum(history_pairs) as number) as history_pairs, sum(history_sum) as history_sum
    from (
        select store_id, category, count(*) as history_pairs, sum(cast(abs_change as number(38, 15))) as history_sum
        from pairs
        where actual_time < '2026-11-01 00:00:00'::timestamp_ntz
        group by store_id, category
    ) as parts
    group by store_id, category
    union all
    -- a row without a series: a checkpoint with no series is then told from none (models/forecast/plan.sql)
    select null, null, 0, null
)

-- the checkpoint first, so that its exact types are the history columns' types
select
    cast(null as varchar) as granularity,
    '2026-11-01 00:00:00'::timestamp_ntz as window_start,
    store_id, category,
    cast(null as float) as scale,
    history_pairs,
    history_sum
from checkpoint
union all
select
    granularity,
    at_time,
    store_id, category,
    case when pairs_before > 0 and sum_abs_change > 0 then cast(sum_abs_change as float) / pairs_before end,
    null,
    null
from running
where is_pair = 0
