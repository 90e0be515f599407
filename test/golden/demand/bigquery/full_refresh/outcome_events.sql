-- Actuals of monitor weekly_demand: the team's figures as they are, keyed like the forecasts'
-- series, nothing written after the run's as-of time (loaded_at).
-- Every actual: MASE's scale needs each series' whole history.
-- actual_rank = 1 marks the actual kept for its series and time (latest loaded_at wins, then the higher value).
select
    *,
    row_number() over (
        partition by `store_id`, `category`, actual_time
        order by
            logged_at desc,
            actual desc
    ) as actual_rank
from (
    select
        `store_id`,
        `category`,
        cast(`week_start` as timestamp) as actual_time,
        cast(`loaded_at` as timestamp) as logged_at,
        case when cast(`units` as float64) between -1e308 and 1e308 or cast(`units` as float64) is null then cast(`units` as float64) else error('outcomes.value must be a finite number from -1e308 to 1e308; got ' || cast(cast(`units` as float64) as string)) end as actual
    from (
        select store_id, category, date_trunc('week', sale_date) as week_start,
               sum(units) as units, max(loaded_at) as loaded_at
        from oltp.daily_sales
        group by store_id, category, date_trunc('week', sale_date)
        having count(*) = 7
    ) as source
    where `loaded_at` < '2026-11-22' and cast(`loaded_at` as timestamp) <= timestamp '2026-11-21 00:00:00'
        and `week_start` is not null
        and `units` is not null
        and `store_id` is not null
        and `category` is not null
) as actuals
