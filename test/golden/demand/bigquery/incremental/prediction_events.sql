-- Forecast rows of monitor weekly_demand: the configured columns under hindsight's names, the
-- monitor's filter applied and nothing written after the run's as-of time (published_at).
-- A forecast is identified by its series, forecast_time and target_time; duplicate_rank = 1 marks
-- the row kept for it (latest published_at wins, then ties broken on the values, docs/semantics.md §5d).
with events as (
    select
        `store_id`,
        `category`,
        cast(`forecast_at` as timestamp) as forecast_time,
        cast(`week_start` as timestamp) as target_time,
        cast(`published_at` as timestamp) as logged_at,
        cast(`model_version` as string) as model_version,
        case when cast(`units` as float64) between -1e308 and 1e308 or cast(`units` as float64) is null then cast(`units` as float64) else error('predictions.prediction must be a finite number from -1e308 to 1e308; got ' || cast(cast(`units` as float64) as string)) end as prediction,
        case when cast(`p10` as float64) between -1e308 and 1e308 or cast(`p10` as float64) is null then cast(`p10` as float64) else error('predictions.interval.lower must be a finite number from -1e308 to 1e308; got ' || cast(cast(`p10` as float64) as string)) end as interval_lower,
        case when cast(`p90` as float64) between -1e308 and 1e308 or cast(`p90` as float64) is null then cast(`p90` as float64) else error('predictions.interval.upper must be a finite number from -1e308 to 1e308; got ' || cast(cast(`p90` as float64) as string)) end as interval_upper,
        case when cast(`p10` as float64) between -1e308 and 1e308 or cast(`p10` as float64) is null then cast(`p10` as float64) else error('predictions.quantiles.0.1 must be a finite number from -1e308 to 1e308; got ' || cast(cast(`p10` as float64) as string)) end as `p10`,
        case when cast(`p50` as float64) between -1e308 and 1e308 or cast(`p50` as float64) is null then cast(`p50` as float64) else error('predictions.quantiles.0.5 must be a finite number from -1e308 to 1e308; got ' || cast(cast(`p50` as float64) as string)) end as `p50`,
        case when cast(`p90` as float64) between -1e308 and 1e308 or cast(`p90` as float64) is null then cast(`p90` as float64) else error('predictions.quantiles.0.9 must be a finite number from -1e308 to 1e308; got ' || cast(cast(`p90` as float64) as string)) end as `p90`,
        cast(`region` as string) as `region`,
        -- whole horizon units (weeks) from the forecast to its target, rounded up
        cast(ceil(timestamp_diff(cast(`week_start` as timestamp), cast(`forecast_at` as timestamp), microsecond) / 3600000000 / 168) as int64) as horizon
    from `raw`.`demand_forecasts`
    where `published_at` < '2026-11-22' and cast(`published_at` as timestamp) <= timestamp '2026-11-21 00:00:00'
        and `week_start` >= '2026-11-01' and cast(`week_start` as timestamp) >= timestamp '2026-11-01 00:00:00'
        and `store_id` is not null
        and `category` is not null
        and `forecast_at` is not null
        and `week_start` is not null
)

select
    events.*,
    row_number() over (
        partition by events.`store_id`, events.`category`, events.forecast_time, events.target_time
        order by
            events.logged_at desc,
            events.prediction desc nulls last,
            events.model_version nulls last,
            events.`region` nulls last,
            events.interval_lower desc nulls last,
            events.interval_upper desc nulls last,
            events.`p10` desc nulls last,
            events.`p50` desc nulls last,
            events.`p90` desc nulls last
    ) as duplicate_rank
from events
